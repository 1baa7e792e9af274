/**
 * The `berth serve` token. `berth serve` prints `http://127.0.0.1:PORT/#token=...`; the page reads the
 * token once at start, takes it out of the address bar (so it is in no history entry, bookmark or copied
 * address) and keeps it in sessionStorage, which lives as long as the tab: a reload still connects, another
 * tab or a new browser session needs the printed link again (issue 13 h).
 */

/** sessionStorage key of the token. */
export const TOKEN_STORAGE_KEY = 'berth.serveToken';
/** The error detail that says no token was found at all (so the page never tried to connect). */
export const MISSING_TOKEN = 'missingToken';

type TokenWindow = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

/**
 * Takes the token from the fragment (a new link wins over the one kept for the tab) or, after a reload,
 * from sessionStorage. Path, query and any other fragment parameter stay in the address bar.
 */
export function takeServeToken(win: TokenWindow): string | undefined {
  const fragment = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const fromLink = fragment.get('token') || undefined;
  if (fragment.has('token')) {
    fragment.delete('token');
    const rest = fragment.toString();
    win.history.replaceState(
      win.history.state,
      '',
      `${win.location.pathname}${win.location.search}${rest ? `#${rest}` : ''}`,
    );
  }
  if (fromLink) {
    withSessionStorage(win, (storage) => storage.setItem(TOKEN_STORAGE_KEY, fromLink));
    return fromLink;
  }
  return withSessionStorage(win, (storage) => storage.getItem(TOKEN_STORAGE_KEY)) ?? undefined;
}

/** Storage throws where the browser blocks it for the page: then the token lasts until a reload only. */
function withSessionStorage<T>(win: TokenWindow, use: (storage: Storage) => T): T | undefined {
  try {
    return use(win.sessionStorage);
  } catch {
    return undefined;
  }
}
