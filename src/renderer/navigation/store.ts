import { create } from 'zustand';
import { formatRoute, parseRoute, type Route } from './route';

interface NavigationState {
  route: Route;
  navigate(route: Route, options?: { replace?: boolean }): void;
}

/**
 * The current route. In `berth serve` it is mirrored in the address bar (path + query; the token stays in
 * the fragment), so reload, back/forward and shared links work; the desktop app keeps the same paths.
 */
export const useNavigation = create<NavigationState>((set) => ({
  route: typeof window === 'undefined' ? { view: 'home' } : parseRoute(window.location.pathname + window.location.search),
  navigate(route, options) {
    if (typeof window !== 'undefined' && window.location.protocol.startsWith('http')) {
      const url = formatRoute(route) + window.location.hash;
      if (options?.replace) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    }
    set({ route });
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => useNavigation.setState({ route: parseRoute(window.location.pathname + window.location.search) }));
}
