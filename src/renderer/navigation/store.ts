import { create } from 'zustand';
import type { BerthApi } from '../../shared/contract';
import { formatRoute, parseRoute, type Route } from './route';

/**
 * Who opened the current route. `app`: the app's own navigation, a person's click or key in Berth.
 * `outside`: the address the page started with (a pasted link, a reload), back/forward, a `berth://` link
 * or a menu shortcut. Views show an outside route, but start no work on a host the user has not added or
 * on a local source until the user acts in the view (issue 13 g): a link is not consent.
 */
export type RouteOrigin = 'app' | 'outside';

interface NavigationState {
  route: Route;
  origin: RouteOrigin;
  /** How many times the route changed since the page loaded (0: still the route it opened with). */
  changes: number;
  /** The app's own navigation (a click in Berth). */
  navigate(route: Route, options?: { replace?: boolean }): void;
  /** A path from outside the app (a `berth://` link or a menu item): parsed, never throwing. */
  openFromOutside(path: unknown): void;
  /** The user acted on the outside route shown (pressed its button): it counts as the app's own now. */
  confirmRoute(): void;
}

const inBrowser = typeof window !== 'undefined';
/** In `berth serve` the route is mirrored in the address bar; the desktop app keeps the same paths. */
const mirrored = () => inBrowser && window.location.protocol.startsWith('http');
const currentPath = () => window.location.pathname + window.location.search;

/**
 * Writes the route to the address bar: path and query only. The fragment is left out on purpose: it once
 * carried the serve token, and every pushState that copied it kept the token in the history (issue 13 h).
 * Opening the route already shown replaces the entry instead of stacking a duplicate.
 */
function mirror(route: Route, replace: boolean): void {
  if (!mirrored()) return;
  const url = formatRoute(route);
  if (replace || url === currentPath()) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
}

/**
 * The current route. In `berth serve` it is mirrored in the address bar (path + query), so reload,
 * back/forward and shared links work.
 */
export const useNavigation = create<NavigationState>((set) => ({
  route: inBrowser ? parseRoute(currentPath()) : { view: 'home' },
  origin: 'outside',
  changes: 0,
  navigate(route, options) {
    mirror(route, options?.replace ?? false);
    set((state) => ({ route, origin: 'app', changes: state.changes + 1 }));
  },
  openFromOutside(path) {
    const route = parseRoute(path);
    mirror(route, false);
    set((state) => ({ route, origin: 'outside', changes: state.changes + 1 }));
  },
  confirmRoute() {
    set({ origin: 'app' });
  },
}));

/**
 * Passes the desktop app's `berth://` links (second start, OS protocol handler) and menu shortcuts on to
 * the navigation; they arrive as paths, the same paths `berth serve` shows in the address bar.
 */
export function followDeepLinks(api: BerthApi): () => void {
  return api.on('app.deepLink', (payload) =>
    useNavigation.getState().openFromOutside((payload as { path?: unknown } | undefined)?.path),
  );
}

if (inBrowser) {
  window.addEventListener('popstate', () =>
    useNavigation.setState((state) => ({
      route: parseRoute(currentPath()),
      origin: 'outside',
      changes: state.changes + 1,
    })),
  );
}
