import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import {
  newestTags,
  parseLocation,
  sourcePrefix,
  tagMatcher,
  targetRepository,
} from '../../../src/main/sync/sync-rules';
import { syncRuleSchema } from '../../../src/shared/sync-rules';

describe('tag filters', () => {
  const tags = ['prod-1', 'prod-2', 'dev-1', 'v1.2.0', '1.10.0', '2.0.0-rc.1', 'latest'];
  const kept = (filter?: string) => tags.filter(tagMatcher(filter));

  it('a glob, a /regex/ and a semver range each keep their tags; no filter keeps all', () => {
    expect(kept('prod-*')).toEqual(['prod-1', 'prod-2']);
    expect(kept('/^(dev|prod)-1$/')).toEqual(['prod-1', 'dev-1']);
    expect(kept('semver:>=1.2 <2')).toEqual(['v1.2.0', '1.10.0']);
    expect(kept('semver:^2.0.0-0')).toEqual(['2.0.0-rc.1']);
    expect(kept()).toEqual(tags);
  });

  it('refuses a bad regex and a bad range with invalid_input', () => {
    for (const filter of ['/(/', 'semver:>>x']) {
      expect(() => tagMatcher(filter)).toThrow(BerthError);
      try {
        tagMatcher(filter);
      } catch (error) {
        expect((error as BerthError).code).toBe('invalid_input');
      }
    }
  });
});

describe('newest N', () => {
  it('orders by semver when every tag is a version, else by date, undated last', () => {
    expect(newestTags(['1.2.0', '1.10.0', 'v1.9.1'], 2, new Map())).toEqual(['1.10.0', 'v1.9.1']);
    const created = new Map([
      ['a', '2024-01-03T00:00:00Z'],
      ['b', '2024-01-05T00:00:00Z'],
      ['1.0.0', '2024-01-04T00:00:00Z'],
    ]);
    expect(newestTags(['a', '1.0.0', 'b', 'undated'], 3, created)).toEqual(['b', '1.0.0', 'a']);
  });
});

describe('locations and the namespace rewrite', () => {
  it('maps prod/ onto mirror/prod/, a glob by its fixed directories, one repository onto a repository', () => {
    const target = parseLocation('127.0.0.1:5001/mirror/prod/', 'target');
    expect(targetRepository('prod/app', sourcePrefix('prod/', 'namespace'), target, false)).toBe('mirror/prod/app');
    expect(targetRepository('prod/team/app', sourcePrefix('prod/', 'namespace'), target, false)).toBe(
      'mirror/prod/team/app',
    );
    expect(sourcePrefix('teams/*/app', 'glob')).toBe('teams/');
    expect(targetRepository('teams/a/app', 'teams/', target, false)).toBe('mirror/prod/a/app');
    const single = parseLocation('127.0.0.1:5001/copies/app', 'target');
    expect(targetRepository('prod/app', sourcePrefix('prod/app', 'repository'), single, true)).toBe('copies/app');
    expect(targetRepository('prod/app', 'prod/', target, true)).toBe('mirror/prod/app');
  });

  it('refuses a location without a host and a target with a pattern', () => {
    expect(() => parseLocation('not a host/x', 'source')).toThrow(/not host\/namespace\//);
    expect(() => parseLocation('127.0.0.1:5000/prod-*/', 'target')).toThrow(/target/);
    expect(parseLocation('127.0.0.1:5000/prod-*/', 'source')).toEqual({ host: '127.0.0.1:5000', path: 'prod-*/' });
  });
});

describe('the rule schema', () => {
  it('defaults referrers on, copy mode, no delete; refuses delete outside mirror', () => {
    expect(syncRuleSchema.parse({ name: 'r', source: 'h:1/a/', target: 'h:2/b/' })).toEqual({
      name: 'r',
      source: 'h:1/a/',
      target: 'h:2/b/',
      referrers: true,
      mode: 'copy',
      delete: false,
    });
    expect(syncRuleSchema.safeParse({ name: 'r', source: 'h:1/a/', target: 'h:2/b/', delete: true }).success).toBe(
      false,
    );
  });
});
