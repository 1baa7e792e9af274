import { describe, expect, it } from 'vitest';
import { challengeScopes, parseChallenges } from '../../../src/main/registry/challenge';

describe('parseChallenges', () => {
  it('reads a distribution bearer challenge', () => {
    const [challenge] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/alpine:pull',
      },
    });
    expect(challengeScopes(challenge!)).toEqual(['repository:library/alpine:pull']);
  });

  it('keeps commas inside quoted values and reads several challenges in one header', () => {
    const challenges = parseChallenges(
      'Bearer realm="https://x/token",scope="repository:a:pull,push", error="insufficient_scope", Basic realm="Registry Realm"',
    );
    expect(challenges).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://x/token', scope: 'repository:a:pull,push', error: 'insufficient_scope' },
      },
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
  });

  it('reads several headers, unquoted values, escapes and case-insensitive names', () => {
    const challenges = parseChallenges([
      'BASIC Realm=simple',
      'bearer REALM="https://h/t?a=1" , Service = "s \\"quoted\\""',
    ]);
    expect(challenges).toEqual([
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'https://h/t?a=1', service: 's "quoted"' } },
    ]);
  });

  it('accepts a token68 value and scopes separated by spaces', () => {
    expect(parseChallenges('Negotiate abc123==')).toEqual([{ scheme: 'negotiate', params: { token68: 'abc123==' } }]);
    expect(challengeScopes(parseChallenges('Bearer scope="repository:a:pull repository:b:pull"')[0]!)).toEqual([
      'repository:a:pull',
      'repository:b:pull',
    ]);
  });

  it('never throws on garbage and bounds its work', () => {
    for (const input of [
      '',
      ',,,',
      '"',
      'Bearer realm="unterminated',
      '=====',
      '\u0000\u0001 Basic',
      'Bearer ' + 'a=b,'.repeat(100_000),
    ]) {
      expect(() => parseChallenges(input)).not.toThrow();
    }
    expect(parseChallenges('Bearer realm="unterminated')[0]?.params['realm']).toBe('unterminated');
    expect(parseChallenges(undefined)).toEqual([]);
  });
});
