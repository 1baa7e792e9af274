import { describe, expect, it } from 'vitest';
import {
  grantedAccess,
  mergeScopes,
  missingActions,
  parseTokenResponse,
  repositoryScope,
} from '../../../src/main/registry/auth';

describe('scopes', () => {
  it('builds repository scopes', () => {
    expect(repositoryScope('dev/app', 'pull,push')).toBe('repository:dev/app:pull,push');
  });

  it('merges the scope a registry asks for into the same resource, keeping order', () => {
    expect(mergeScopes(['repository:a:pull'], ['repository:a:push'])).toEqual(['repository:a:pull,push']);
    expect(mergeScopes(['repository:a:pull,push', 'repository:b:pull'], ['repository:b:pull'])).toEqual([
      'repository:a:pull,push',
      'repository:b:pull',
    ]);
    expect(mergeScopes(['repository:a:pull'], ['repository:c:pull', 'registry:catalog:*'])).toEqual([
      'repository:a:pull',
      'repository:c:pull',
      'registry:catalog:*',
    ]);
    expect(mergeScopes([], ['garbage'])).toEqual(['garbage']);
  });
});

describe('parseTokenResponse', () => {
  const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

  it('takes access_token before token and honours expires_in with a 60 s floor', () => {
    const before = Date.now();
    const token = parseTokenResponse(body({ token: 'old', access_token: 'new', expires_in: 300 }), 'r');
    expect(token.header).toBe('Bearer new');
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 290_000 - 1);
    expect(parseTokenResponse(body({ token: 't', expires_in: 5 }), 'r').expiresAt).toBeGreaterThan(before + 49_000);
  });

  it.each([
    ['not json'],
    [body([]).toString()],
    [JSON.stringify({ token: '' })],
    [JSON.stringify({ token: 'has space' })],
    [JSON.stringify({ token: 'a\r\nSet-Cookie: x' })],
    [JSON.stringify({ expires_in: 60 })],
    ['null'],
  ])('refuses garbage %s', (text) => {
    expect(() => parseTokenResponse(Buffer.from(text), 'reg.example')).toThrow(
      expect.objectContaining({
        code: 'bad_response',
        message: 'The token service of reg.example answered something that is not a token.',
      }),
    );
  });
});

describe('what a token grants', () => {
  const jwt = (claims: unknown) =>
    ['{"alg":"RS256"}', JSON.stringify(claims), 'sig'].map((part) => Buffer.from(part).toString('base64url')).join('.');

  it("reads the JWT's access claim, merging actions per resource", () => {
    const token = jwt({
      access: [
        { type: 'repository', name: 'prod/svc', actions: ['pull'] },
        { type: 'repository', name: 'dev/svc', actions: ['pull', 'push'] },
        { type: 'repository', name: 'prod/svc', actions: ['delete'] },
        { type: 'repository', name: 7, actions: ['pull'] },
      ],
    });
    expect(grantedAccess(undefined, token)).toEqual(
      new Map([
        ['repository:prod/svc', ['pull', 'delete']],
        ['repository:dev/svc', ['pull', 'push']],
      ]),
    );
    expect(grantedAccess(undefined, jwt({ access: [] }))).toEqual(new Map());
  });

  it("prefers the answer's scope (OAuth2), and knows nothing of an opaque token or a JWT without access", () => {
    expect(grantedAccess('repository:a:pull registry:catalog:*', jwt({ access: [] }))).toEqual(
      new Map([
        ['repository:a', ['pull']],
        ['registry:catalog', ['*']],
      ]),
    );
    expect(grantedAccess(undefined, 'opaque-token')).toBeUndefined();
    expect(grantedAccess(undefined, jwt({ sub: 'bob' }))).toBeUndefined();
    expect(grantedAccess(undefined, 'a.%%%.c')).toBeUndefined();
    expect(parseTokenResponse(Buffer.from(JSON.stringify({ token: jwt({ access: [] }) })), 'r').granted).toEqual(
      new Map(),
    );
  });

  it('finds the missing actions: * grants all; without a list, every write', () => {
    expect(missingActions(['pull', 'push'], ['pull'])).toEqual(['push']);
    expect(missingActions(['pull', 'push'], ['*'])).toEqual([]);
    expect(missingActions(['pull', 'push'], undefined)).toEqual(['push']);
    expect(missingActions(['pull'], undefined)).toEqual(['pull']);
  });
});
