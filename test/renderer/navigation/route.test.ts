/**
 * Routes from links: anything malformed or unknown is the home view, never an exception (issue 13 f);
 * every route the app makes reads back as itself, odd characters included.
 */
import { describe, expect, it } from 'vitest';
import { formatRoute, MAX_ROUTE_LENGTH, parseRoute, type Route } from '../../../src/renderer/navigation/route';

const HOME = { view: 'home' };

describe('parseRoute on malformed links', () => {
  it.each([
    ['a truncated escape in a registry id', '/registries/%E0%A4%A'],
    ['a lone percent sign', '/registries/%'],
    ['a non-hex escape in a repository path', '/registries/r1/repositories/dev/%ZZapp'],
    ['an escape of a lone surrogate', '/registries/%ED%A0%80'],
    ['an invalid UTF-8 sequence in the query', '/images?ref=%E0%A4%A'],
    ['a bad escape in a query key', '/compare?%E0=x&a=y&b=z'],
    ['a bad escape in one of two compare sides', '/compare?a=127.0.0.1:5000/dev/app:1&b=%'],
    ['a NUL in a reference', '/images?ref=127.0.0.1:5000/dev/app%00:1'],
    ['a newline in a registry id', '/registries/r1%0A'],
    ['a C1 control in a search', '/history?q=a%C2%85b'],
    ['an overlong query', `/images?ref=127.0.0.1:5000/${'a'.repeat(MAX_ROUTE_LENGTH)}:1`],
    ['an overlong path', `/registries/r1/repositories/${'a/'.repeat(MAX_ROUTE_LENGTH / 2)}`],
  ])('%s opens home', (_what, path) => {
    expect(parseRoute(path)).toEqual(HOME);
  });

  it.each([undefined, null, 42, {}, ['/registries/r1']])('a path that is not a string (%j) opens home', (path) => {
    expect(parseRoute(path)).toEqual(HOME);
  });
});

describe('parseRoute on unknown links', () => {
  it.each([
    '',
    '/',
    '?',
    '#',
    '/nowhere',
    '/REGISTRIES/r1',
    '/registries',
    '/images',
    '/images?ref=',
    '/images?ref',
    '/images?reference=127.0.0.1:5000/dev/app:1',
    '/layers',
    '/layers?ref=',
    'javascript:alert(1)',
    'http://[',
    '//evil.example/registries/r1',
  ])('%j opens home', (path) => {
    expect(parseRoute(path)).toEqual(HOME);
  });
});

describe('parseRoute on odd query strings', () => {
  it('takes the first of a repeated key, skips empty pairs and ignores a fragment', () => {
    expect(parseRoute('/images?ref=a/b:1&ref=c/d:2')).toEqual({ view: 'image', reference: 'a/b:1' });
    expect(parseRoute('/images?&&ref=a/b:1&&')).toEqual({ view: 'image', reference: 'a/b:1' });
    expect(parseRoute('/images?ref=a/b:1#token=abc')).toEqual({ view: 'image', reference: 'a/b:1' });
    expect(parseRoute('/registries/r1#?ns=team-a')).toEqual({ view: 'registry', registryId: 'r1' });
  });

  it('treats empty values as absent and ignores unknown keys', () => {
    expect(parseRoute('/images?ref=a/b:1&platform=')).toEqual({ view: 'image', reference: 'a/b:1' });
    expect(parseRoute('/registries/r1?ns=&x=1')).toEqual({ view: 'registry', registryId: 'r1' });
    expect(parseRoute('/settings?registry')).toEqual({ view: 'settings' });
    expect(parseRoute('/compare?b=a/b:2&c=3')).toEqual({ view: 'compare', b: 'a/b:2' });
    expect(parseRoute('/compare?a=&b=')).toEqual({ view: 'compare' });
  });

  it('decodes form encoding: plus is a space, an encoded plus or equals sign is itself', () => {
    expect(parseRoute('/history?q=dev+app')).toEqual({ view: 'history', query: 'dev app' });
    expect(parseRoute('/history?q=a%2Bb%3Dc=d')).toEqual({ view: 'history', query: 'a+b=c=d' });
  });
});

describe('formatRoute and parseRoute', () => {
  const routes: Route[] = [
    { view: 'home' },
    { view: 'registry', registryId: 'r1' },
    { view: 'registry', registryId: 'id with spaces/and slash', namespace: 'team-a/sub' },
    { view: 'repository', registryId: 'r1', repository: 'team-a/service-x' },
    { view: 'storage', registryId: 'r1' },
    { view: 'storage', registryId: 'id with spaces/and slash', namespace: 'team-a/sub' },
    { view: 'rebuild', registryId: 'r1' },
    { view: 'rebuild', registryId: 'id with spaces/and slash', namespace: 'team-a/sub' },
    { view: 'image', reference: `127.0.0.1:5000/dev/app@sha256:${'ab'.repeat(32)}`, platform: 'linux/arm/v7' },
    { view: 'compare', a: 'docker-archive:/tmp/a b.tar:app:1', b: 'oci:/tmp/layout:1.0' },
    { view: 'compare', a: 'docker-daemon:app:dev' },
    { view: 'layers', reference: 'docker-daemon:app:dev' },
    { view: 'lanes' },
    { view: 'docker' },
    { view: 'history', query: 'a+b & c #d %e' },
    { view: 'settings', registryId: 'r1' },
  ];

  it.each(routes)('reads back %j', (route) => {
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });
});
