// @vitest-environment jsdom
/**
 * Where routes come from: the page's start-up address, back/forward, `berth://` links and menu shortcuts
 * (the desktop app's `app.deepLink` event) are "outside" routes, and a malformed one opens home instead of
 * throwing (issue 13 f); the app's own navigation is "app", and never copies the fragment (which once
 * carried the serve token, issue 13 h) into the address bar.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followDeepLinks, useNavigation } from '../../../src/renderer/navigation/store';
import { scriptedApi } from '../promote/scripted-api';

const MALFORMED_LINKS: [string, string][] = [
  ['a truncated escape', '/registries/%E0%A4%A'],
  ['a lone percent sign', '/images?ref=%'],
  ['an escaped lone surrogate', '/compare?a=%ED%A0%80&b=x'],
  ['an overlong path', `/registries/${'x'.repeat(10_000)}`],
  ['a NUL', '/registries/r1%00'],
];
const MALFORMED = MALFORMED_LINKS.map(([, path]) => path);

afterEach(() => {
  window.history.replaceState(null, '', '/');
  useNavigation.getState().navigate({ view: 'home' }, { replace: true });
});

describe('the start-up address', () => {
  it.each(MALFORMED_LINKS)('with %s opens home, as a route from outside', async (_what, path) => {
    window.history.replaceState(null, '', path);
    // The store reads the address when it is created: load a fresh copy, as a page load does.
    vi.resetModules();
    const { useNavigation: fresh } = await import('../../../src/renderer/navigation/store');
    expect(fresh.getState().route).toEqual({ view: 'home' });
    expect(fresh.getState().origin).toBe('outside');
  });

  it('a valid one opens its route, as a route from outside', async () => {
    window.history.replaceState(null, '', '/compare?a=127.0.0.1:5000/dev/app:1.0.0&b=127.0.0.1:5000/dev/app:1.1.0');
    vi.resetModules();
    const { useNavigation: fresh } = await import('../../../src/renderer/navigation/store');
    expect(fresh.getState()).toMatchObject({
      route: { view: 'compare', a: '127.0.0.1:5000/dev/app:1.0.0', b: '127.0.0.1:5000/dev/app:1.1.0' },
      origin: 'outside',
    });
  });
});

describe('back and forward', () => {
  it.each(MALFORMED_LINKS)('to an address with %s opens home', (_what, path) => {
    useNavigation.getState().navigate({ view: 'lanes' });
    window.history.replaceState(null, '', path);
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(useNavigation.getState().route).toEqual({ view: 'home' });
    expect(useNavigation.getState().origin).toBe('outside');
  });

  it('to a valid address opens its route as a route from outside', () => {
    useNavigation.getState().navigate({ view: 'lanes' });
    window.history.replaceState(null, '', '/layers?ref=docker-archive:/tmp/x.tar');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(useNavigation.getState()).toMatchObject({
      route: { view: 'layers', reference: 'docker-archive:/tmp/x.tar' },
      origin: 'outside',
    });
  });
});

describe('desktop deep links (app.deepLink)', () => {
  it('open home for a malformed or missing path, and the route of a valid one', () => {
    const api = scriptedApi({});
    const stop = followDeepLinks(api);
    for (const path of MALFORMED) {
      useNavigation.getState().navigate({ view: 'lanes' });
      expect(() => api.emit('app.deepLink', { path })).not.toThrow();
      expect(useNavigation.getState()).toMatchObject({ route: { view: 'home' }, origin: 'outside' });
    }
    useNavigation.getState().navigate({ view: 'lanes' });
    api.emit('app.deepLink', {} as { path: string });
    expect(useNavigation.getState().route).toEqual({ view: 'home' });

    api.emit('app.deepLink', { path: '/images?ref=evil.example/x/y:1' });
    expect(useNavigation.getState()).toMatchObject({
      route: { view: 'image', reference: 'evil.example/x/y:1' },
      origin: 'outside',
    });
    stop();
    api.emit('app.deepLink', { path: '/lanes' });
    expect(useNavigation.getState().route.view).toBe('image');
  });
});

describe('the app’s own navigation', () => {
  it('is an app route, writes path and query only, and replaces instead of repeating the same entry', () => {
    window.history.replaceState(null, '', '/#token=secret');
    const before = window.history.length;
    useNavigation.getState().navigate({ view: 'registry', registryId: 'r1', namespace: 'team-a' });
    expect(useNavigation.getState().origin).toBe('app');
    expect(window.location.href).toBe(`${window.location.origin}/registries/r1?ns=team-a`);
    expect(window.history.length).toBe(before + 1);
    useNavigation.getState().navigate({ view: 'registry', registryId: 'r1', namespace: 'team-a' });
    expect(window.history.length).toBe(before + 1);
  });

  it('confirming an outside route makes it the app’s own without a new entry', () => {
    useNavigation.getState().openFromOutside('/compare?a=x/y:1&b=x/y:2');
    expect(useNavigation.getState().origin).toBe('outside');
    const length = window.history.length;
    useNavigation.getState().confirmRoute();
    expect(useNavigation.getState()).toMatchObject({
      route: { view: 'compare', a: 'x/y:1', b: 'x/y:2' },
      origin: 'app',
    });
    expect(window.history.length).toBe(length);
  });
});
