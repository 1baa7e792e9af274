// @vitest-environment jsdom
/**
 * The `berth serve` client's start-up (issue 13 h): the token is read from `#token=` once, taken out of
 * the address bar (path and query stay, no new history entry) and kept in sessionStorage for the tab, so
 * a reload finds it; navigation never writes it back. The connection itself, and a reload that connects,
 * run in Chromium against the real `berth serve`: test/e2e/serve-token.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/renderer/api/client';
import { MISSING_TOKEN, TOKEN_STORAGE_KEY, takeServeToken } from '../../../src/renderer/api/serve-token';
import { useNavigation } from '../../../src/renderer/navigation/store';
import type { BerthError } from '../../../src/shared/errors';

const TOKEN = 'ab'.repeat(32);

afterEach(() => {
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('serve client start-up', () => {
  it('takes the token out of the address bar, keeps path and query, and keeps it for the tab', () => {
    window.history.replaceState(null, '', `/registries/r1?ns=team-a#token=${TOKEN}`);
    const entries = window.history.length;
    createApi(window);
    expect(window.location.href).toBe(`${window.location.origin}/registries/r1?ns=team-a`);
    expect(window.location.hash).toBe('');
    expect(window.history.length).toBe(entries);
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe(TOKEN);

    // Navigating afterwards never brings it back.
    useNavigation.getState().navigate({ view: 'repository', registryId: 'r1', repository: 'team-a/app' });
    expect(window.location.href).not.toContain(TOKEN);
    expect(window.location.href).toBe(`${window.location.origin}/registries/r1/repositories/team-a/app`);
    useNavigation.getState().navigate({ view: 'home' });
    expect(window.location.href).toBe(`${window.location.origin}/`);
  });

  it('after a reload (no fragment) uses the token kept for the tab', () => {
    window.history.replaceState(null, '', `/#token=${TOKEN}`);
    expect(takeServeToken(window)).toBe(TOKEN);
    window.history.replaceState(null, '', '/registries/r1');
    expect(takeServeToken(window)).toBe(TOKEN);
    expect(window.location.href).toBe(`${window.location.origin}/registries/r1`);
  });

  it('a new link’s token replaces the kept one; other fragment parameters stay', () => {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, 'old');
    window.history.replaceState(null, '', `/lanes?x=1#view=2&token=${TOKEN}`);
    expect(takeServeToken(window)).toBe(TOKEN);
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe(TOKEN);
    expect(window.location.href).toBe(`${window.location.origin}/lanes?x=1#view=2`);
  });

  it('without a token in the link or the tab, says so and opens no connection', async () => {
    window.history.replaceState(null, '', '/registries/r1');
    const api = createApi(window);
    const error = (await api.call('app.info', {}).catch((e: unknown) => e)) as BerthError;
    expect(error.code).toBe('unauthorized');
    expect(error.details?.[MISSING_TOKEN]).toBe(true);
  });
});
