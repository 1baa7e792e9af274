/**
 * Every place in the app has a path, so any view can be deep-linked: `berth://PATH` in the desktop app
 * and `http://127.0.0.1:PORT/PATH` in `berth serve`. Pure functions; the store below keeps the current one.
 */
export type Route =
  | { view: 'home' }
  | { view: 'registry'; registryId: string; namespace?: string }
  | { view: 'repository'; registryId: string; repository: string }
  | { view: 'image'; reference: string; platform?: string }
  | { view: 'compare'; a?: string; b?: string }
  | { view: 'layers'; reference: string }
  | { view: 'lanes' }
  | { view: 'docker' }
  | { view: 'history'; query?: string }
  | { view: 'settings'; registryId?: string };

const enc = encodeURIComponent;

export function formatRoute(route: Route): string {
  switch (route.view) {
    case 'home':
      return '/';
    case 'registry':
      return `/registries/${enc(route.registryId)}${route.namespace ? `?ns=${enc(route.namespace)}` : ''}`;
    case 'repository':
      return `/registries/${enc(route.registryId)}/repositories/${route.repository.split('/').map(enc).join('/')}`;
    case 'image':
      return `/images?ref=${enc(route.reference)}${route.platform ? `&platform=${enc(route.platform)}` : ''}`;
    case 'compare': {
      const q = new URLSearchParams();
      if (route.a) q.set('a', route.a);
      if (route.b) q.set('b', route.b);
      const s = q.toString();
      return `/compare${s ? `?${s}` : ''}`;
    }
    case 'layers':
      return `/layers?ref=${enc(route.reference)}`;
    case 'lanes':
      return '/lanes';
    case 'docker':
      return '/docker';
    case 'history':
      return `/history${route.query ? `?q=${enc(route.query)}` : ''}`;
    case 'settings':
      return `/settings${route.registryId ? `?registry=${enc(route.registryId)}` : ''}`;
  }
}

/** Parses a path (with optional query); anything unknown is home, never an error. */
export function parseRoute(pathWithQuery: string): Route {
  const url = new URL(pathWithQuery, 'http://berth.invalid');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const [first, second, third, ...rest] = parts;
  switch (first) {
    case 'registries':
      if (!second) return { view: 'home' };
      if (third === 'repositories' && rest.length > 0) return { view: 'repository', registryId: second, repository: rest.join('/') };
      return q.get('ns') ? { view: 'registry', registryId: second, namespace: q.get('ns') ?? undefined } : { view: 'registry', registryId: second };
    case 'images': {
      const reference = q.get('ref');
      if (!reference) return { view: 'home' };
      const platform = q.get('platform');
      return platform ? { view: 'image', reference, platform } : { view: 'image', reference };
    }
    case 'compare':
      return { view: 'compare', ...(q.get('a') ? { a: q.get('a') as string } : {}), ...(q.get('b') ? { b: q.get('b') as string } : {}) };
    case 'layers':
      return q.get('ref') ? { view: 'layers', reference: q.get('ref') as string } : { view: 'home' };
    case 'lanes':
      return { view: 'lanes' };
    case 'docker':
      return { view: 'docker' };
    case 'history':
      return q.get('q') ? { view: 'history', query: q.get('q') as string } : { view: 'history' };
    case 'settings':
      return q.get('registry') ? { view: 'settings', registryId: q.get('registry') as string } : { view: 'settings' };
    default:
      return { view: 'home' };
  }
}

/** `berth://registries/x` -> `/registries/x` (the desktop protocol carries the same paths). */
export function pathFromDeepLink(link: string): string {
  return link.replace(/^berth:\/\//, '/');
}
