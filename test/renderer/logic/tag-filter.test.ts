import { describe, expect, it } from 'vitest';
import { makeTagFilter } from '../../../src/renderer/logic/tag-filter';

const tags = ['1.2.0', '1.2.10', '1.20.0', 'v1.2.3-rc1', 'latest', 'Build-7', '2024-01-09'];
const apply = (text: string, mode: 'substring' | 'glob' | 'regex') => tags.filter(makeTagFilter(text, mode).test);

describe('tag filter', () => {
  it('matches a substring case-insensitively; an empty filter is inactive', () => {
    expect(apply('build', 'substring')).toEqual(['Build-7']);
    expect(apply('.2.', 'substring')).toEqual(['1.2.0', '1.2.10', 'v1.2.3-rc1']);
    expect(makeTagFilter('  ', 'substring').active).toBe(false);
  });

  it('matches a glob against the whole tag', () => {
    expect(apply('1.2.*', 'glob')).toEqual(['1.2.0', '1.2.10']);
    expect(apply('v*', 'glob')).toEqual(['v1.2.3-rc1']);
    expect(apply('{latest,1.20.?}', 'glob')).toEqual(['1.20.0', 'latest']);
    expect(apply('2024-??-0[1-9]', 'glob')).toEqual(['2024-01-09']);
  });

  it('matches a regular expression, and reports an invalid one without filtering', () => {
    expect(apply('^1\\.2\\.\\d+$', 'regex')).toEqual(['1.2.0', '1.2.10']);
    const invalid = makeTagFilter('([', 'regex');
    expect(invalid.error).toMatch(/Invalid regular expression/);
    expect(tags.filter(invalid.test)).toEqual(tags);
    expect(invalid.active).toBe(false);
  });
});
