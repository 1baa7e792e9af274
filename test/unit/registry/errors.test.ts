import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import {
  httpError,
  networkError,
  parseRetryAfter,
  permissionText,
  serverText,
} from '../../../src/main/registry/errors';
import { parseRateLimit } from '../../../src/main/registry/remote/hub';
import { nextLink } from '../../../src/main/registry/remote/paging';

const body = (errors: unknown) => Buffer.from(JSON.stringify({ errors }));
const ctx = { registry: 'r.example', action: 'get the manifest of r.example/a:1' };

describe('httpError', () => {
  it.each([
    [401, undefined, {}, 'unauthorized', 'requires signing in'],
    [403, undefined, {}, 'denied', 'denied access'],
    [404, body([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]), {}, 'not_found', 'no such tag or digest'],
    [404, body([{ code: 'NAME_UNKNOWN' }]), {}, 'not_found', 'repository does not exist'],
    [429, undefined, { 'retry-after': '30' }, 'rate_limited', 'Try again in 30 s'],
    [503, undefined, {}, 'unreachable', 'temporarily unavailable'],
    [405, undefined, {}, 'unsupported', 'does not support'],
    [400, body([{ code: 'DIGEST_INVALID', message: 'digest invalid' }]), {}, 'digest_mismatch', 'does not match'],
    [
      500,
      body([{ code: 'UNKNOWN', message: 'boom\u0007\nline' }]),
      {},
      'bad_response',
      'The registry said: boom line (UNKNOWN)',
    ],
  ])('%i -> %s', (status, errorBody, headers, code, text) => {
    const error = httpError(status, errorBody, headers, ctx);
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
  });

  it('tells refused credentials from missing ones', () => {
    expect(httpError(401, undefined, {}, { ...ctx, authenticated: true }).message).toContain(
      'refused the saved credentials',
    );
  });

  it('tells a refused permission from refused credentials: insufficient_scope, a token without the action, 403 DENIED', () => {
    const signedIn = { ...ctx, action: 'upload a blob to prod/svc', authenticated: true };
    const bob = { user: 'bob', repository: 'prod/svc', missing: ['push'] };
    const scopeChallenge = {
      'www-authenticate':
        'Bearer realm="http://t/token",scope="repository:prod/svc:pull,push",error="insufficient_scope"',
    };
    const insufficient = httpError(401, undefined, scopeChallenge, { ...signedIn, permission: bob });
    expect(insufficient.code).toBe('denied');
    expect(insufficient.message).toBe(
      'r.example refused: bob may not push to prod/svc, so Berth could not upload a blob to prod/svc. Ask an administrator of r.example for push access to prod/svc, or sign in as a user who has it.',
    );
    expect(insufficient.details).toEqual({
      registry: 'r.example',
      status: 401,
      user: 'bob',
      repository: 'prod/svc',
      missing: 'push',
    });
    // The token service said what it granted: a plain 401 is about that, too.
    const granted = httpError(401, undefined, {}, { ...signedIn, permission: { ...bob, granted: ['pull'] } });
    expect(granted.code).toBe('denied');
    expect(granted.message).toContain('bob may pull but not push to prod/svc');
    const forbidden = httpError(403, body([{ code: 'DENIED', message: 'no' }]), {}, { ...signedIn, permission: bob });
    expect(forbidden.code).toBe('denied');
    expect(forbidden.message).toContain('bob may not push to prod/svc');
    expect(forbidden.message).toContain('The registry said: no (DENIED).');
    // Without the challenge's word or a grant list, a 401 to a signed-in user still blames the credentials.
    expect(httpError(401, undefined, {}, { ...signedIn, permission: bob }).code).toBe('unauthorized');
    // Anonymous: sign in, whatever the challenge says.
    expect(httpError(401, undefined, scopeChallenge, { ...ctx, permission: bob }).message).toContain(
      'requires signing in',
    );
  });

  it('names every missing action, and a token without a user name as this account', () => {
    expect(permissionText({ repository: 'a/b', missing: ['pull'], granted: [] })).toBe(
      'This account may not pull from a/b',
    );
    expect(permissionText({ user: 'eve', repository: 'a/b', missing: ['delete'], granted: ['pull', 'push'] })).toBe(
      'eve may pull and push but not delete from a/b',
    );
  });

  it('carries retryAfterSeconds for the UI', () => {
    expect(httpError(429, undefined, { 'retry-after': '120' }, ctx).details).toMatchObject({ retryAfterSeconds: 120 });
  });
});

describe('networkError', () => {
  const fail = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['ECONNREFUSED', 'unreachable', 'connection was refused'],
    ['ENOTFOUND', 'unreachable', 'does not resolve'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls', 'add the CA file'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', 'mark it insecure'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', 'stopped answering'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'bad_response', 'before sending the whole answer'],
  ])('%s -> %s', (code, expected, text) => {
    const error = networkError(fail(code), ctx);
    expect(error.code).toBe(expected);
    expect(error.message).toContain(text);
  });

  it('reads the code of a wrapped cause, and reports cancellation as cancelled', () => {
    expect(networkError(Object.assign(new Error('fetch failed'), { cause: fail('ECONNRESET') }), ctx).code).toBe(
      'unreachable',
    );
    const controller = new AbortController();
    controller.abort(new BerthError('cancelled', 'Cancelled by the user'));
    expect(networkError(new Error('aborted'), ctx, controller.signal).message).toBe('Cancelled by the user');
  });
});

describe('headers', () => {
  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThanOrEqual(58);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it("reads Docker Hub's rate-limit headers", () => {
    expect(
      parseRateLimit({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' }, new Date(0)),
    ).toEqual({
      limit: 100,
      remaining: 76,
      windowSeconds: 21600,
      observedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(parseRateLimit({})).toBeUndefined();
  });

  it('finds the next page in a Link header, relative or absolute', () => {
    const page = new URL('https://r.example/v2/_catalog?n=2');
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', page)?.href).toBe(
      'https://r.example/v2/_catalog?last=b&n=2',
    );
    expect(nextLink('<https://r.example/p1>; rel="prev", <https://r.example/p3>; rel=next', page)?.href).toBe(
      'https://r.example/p3',
    );
    expect(nextLink('<https://r.example/p1>; rel="prev"', page)).toBeUndefined();
    expect(nextLink(undefined, page)).toBeUndefined();
  });

  it('cleans server text', () => {
    expect(serverText(`a\u0000b\n${'x'.repeat(300)}`)).toMatch(/^a b x+…$/);
  });
});
