/**
 * Every place in the app has a path, so any view can be deep-linked: `berth://PATH` in the desktop app
 * and `http://127.0.0.1:PORT/PATH` in `berth serve`. Pure functions; the store below keeps the current one.
 */
export type Route =
  | { view: 'home' }
  | { view: 'registry'; registryId: string; namespace?: string }
  | { view: 'storage'; registryId: string; namespace?: string }
  | { view: 'rebuild'; registryId: string; namespace?: string }
  | { view: 'repository'; registryId: string; repository: string }
  | { view: 'image'; reference: string; platform?: string }
  | { view: 'compare'; a?: string; b?: string }
  | { view: 'layers'; reference: string }
  | { view: 'lanes' }
  | { view: 'sync' }
  | { view: 'matrix'; places?: string[]; lane?: string; repositories?: string }
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
    case 'storage':
      return `/storage/${enc(route.registryId)}${route.namespace ? `?ns=${enc(route.namespace)}` : ''}`;
    case 'rebuild':
      return `/rebuild/${enc(route.registryId)}${route.namespace ? `?ns=${enc(route.namespace)}` : ''}`;
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
    case 'sync':
      return '/sync';
    case 'matrix': {
      // Places (`host/namespace`) never hold a comma: one `in` parameter carries them all.
      const q = new URLSearchParams();
      if (route.places?.length) q.set('in', route.places.join(','));
      if (route.lane) q.set('lane', route.lane);
      if (route.repositories) q.set('repo', route.repositories);
      const s = q.toString();
      return `/matrix${s ? `?${s}` : ''}`;
    }
    case 'docker':
      return '/docker';
    case 'history':
      return `/history${route.query ? `?q=${enc(route.query)}` : ''}`;
    case 'settings':
      return `/settings${route.registryId ? `?registry=${enc(route.registryId)}` : ''}`;
  }
}

const HOME: Route = { view: 'home' };

/**
 * Longer inputs are not links Berth makes: two full references with digests, percent-encoded, stay far
 * below this. Anything longer is treated as malformed rather than parsed (issue 13 f).
 */
export const MAX_ROUTE_LENGTH = 8192;

/** Control characters never occur in a reference, registry id, namespace or search Berth links to. */
const CONTROL = /\p{Cc}/u;

/** One percent-decoded component, or undefined when it is malformed (a bad escape, a lone surrogate). */
function decode(text: string, plusIsSpace = false): string | undefined {
  try {
    const value = decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
    return CONTROL.test(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

/** A query string as form-encoded pairs (the first value of a repeated key wins, as URLSearchParams.get). */
function parseQuery(search: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const pair of search.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) return undefined;
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/**
 * Parses a path (with optional query) from the address bar or a `berth://` link. It never throws: a
 * malformed link (bad percent escapes, control characters, an overlong path, not even a string) and an
 * unknown one are both the home view, since links come from anywhere (issue 13 f).
 */
export function parseRoute(pathWithQuery: unknown): Route {
  if (typeof pathWithQuery !== 'string' || pathWithQuery.length > MAX_ROUTE_LENGTH) return HOME;
  const withoutFragment = pathWithQuery.split('#', 1)[0]!;
  const questionMark = withoutFragment.indexOf('?');
  const path = questionMark < 0 ? withoutFragment : withoutFragment.slice(0, questionMark);
  const params = parseQuery(questionMark < 0 ? '' : withoutFragment.slice(questionMark + 1));
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((part) => decode(part));
  if (!params || parts.some((part) => part === undefined)) return HOME;
  // An empty value is no value, as before: `?ref=` is a link without a reference.
  const q = { get: (key: string) => params.get(key) || undefined };
  const [first, second, third, ...rest] = parts as string[];
  switch (first) {
    case 'registries': {
      if (!second) return HOME;
      if (third === 'repositories' && rest.length > 0)
        return { view: 'repository', registryId: second, repository: rest.join('/') };
      const namespace = q.get('ns');
      return namespace ? { view: 'registry', registryId: second, namespace } : { view: 'registry', registryId: second };
    }
    case 'storage': {
      if (!second) return HOME;
      const namespace = q.get('ns');
      return namespace ? { view: 'storage', registryId: second, namespace } : { view: 'storage', registryId: second };
    }
    case 'rebuild': {
      if (!second) return HOME;
      const namespace = q.get('ns');
      return namespace ? { view: 'rebuild', registryId: second, namespace } : { view: 'rebuild', registryId: second };
    }
    case 'images': {
      const reference = q.get('ref');
      if (!reference) return HOME;
      const platform = q.get('platform');
      return platform ? { view: 'image', reference, platform } : { view: 'image', reference };
    }
    case 'compare': {
      const a = q.get('a');
      const b = q.get('b');
      return { view: 'compare', ...(a ? { a } : {}), ...(b ? { b } : {}) };
    }
    case 'layers': {
      const reference = q.get('ref');
      return reference ? { view: 'layers', reference } : HOME;
    }
    case 'lanes':
      return { view: 'lanes' };
    case 'sync':
      return { view: 'sync' };
    case 'matrix': {
      const places = q.get('in')?.split(',').filter(Boolean) ?? [];
      const lane = q.get('lane');
      const repositories = q.get('repo');
      return {
        view: 'matrix',
        ...(places.length ? { places } : {}),
        ...(lane ? { lane } : {}),
        ...(repositories ? { repositories } : {}),
      };
    }
    case 'docker':
      return { view: 'docker' };
    case 'history': {
      const query = q.get('q');
      return query ? { view: 'history', query } : { view: 'history' };
    }
    case 'settings': {
      const registryId = q.get('registry');
      return registryId ? { view: 'settings', registryId } : { view: 'settings' };
    }
    default:
      return HOME;
  }
}

/** `berth://registries/x` -> `/registries/x` (the desktop protocol carries the same paths). */
export function pathFromDeepLink(link: string): string {
  return link.replace(/^berth:\/\//, '/');
}
