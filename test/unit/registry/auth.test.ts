import { describe, expect, it } from 'vitest';
import { mergeScopes, parseTokenResponse, repositoryScope } from '../../../src/main/registry/auth';

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
