import { DOCKER_HUB, normalizeRegistryHost } from '../../shared/reference';
import type { RegistryKind } from '../../shared/types/settings';

/**
 * The key Docker uses for Hub credentials in `auths`, `credHelpers` and helper calls (docker/cli
 * `registry.IndexServer`), kept for compatibility with the v1 API that no longer exists.
 */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

export interface ParsedHost {
  /** Lower case `name[:port]`; Docker Hub is always `docker.io`. */
  host: string;
  /** The input said `http://`: the user means a plain-HTTP registry. */
  plainHttp: boolean;
}

/**
 * Accepts what people paste (`ghcr.io`, `https://ghcr.io/`, `127.0.0.1:5000`, Docker's
 * `https://index.docker.io/v1/`) and keeps the one thing the host itself does not say: `http://`.
 */
export function parseRegistryHost(input: string): ParsedHost {
  return { host: normalizeRegistryHost(input), plainHttp: /^\s*http:\/\//i.test(input) };
}

/** For keys read from files people edit: undefined instead of an error. */
export function tryNormalizeHost(input: string): string | undefined {
  try {
    return normalizeRegistryHost(input);
  } catch {
    return undefined;
  }
}

/** The server address Docker stores a host's credential under (`auths` key, helper `get` argument). */
export function dockerServerAddress(host: string): string {
  return host === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : host;
}

/** A stable, readable registry id: `127.0.0.1-5000`, `ghcr.io`. */
export function registryIdForHost(host: string): string {
  return host.replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'registry';
}

/** A best guess of the product behind a host, used for defaults and hints; the user can change it. */
export function guessRegistryKind(host: string): RegistryKind {
  const name = host.replace(/:\d+$/, '');
  if (name === DOCKER_HUB) return 'dockerhub';
  if (name === 'ghcr.io') return 'ghcr';
  if (name === 'quay.io' || name.startsWith('quay.')) return 'quay';
  if (/\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(name) || name === 'public.ecr.aws')
    return 'ecr';
  if (name.endsWith('.azurecr.io') || name.endsWith('.azurecr.cn') || name.endsWith('.azurecr.us')) return 'acr';
  if (name.endsWith('-docker.pkg.dev') || name === 'gcr.io' || name.endsWith('.gcr.io')) return 'gar';
  if (name === 'registry.gitlab.com' || /(?:^|[.-])gitlab(?:[.-]|$)/.test(name)) return 'gitlab';
  if (/(?:^|[.-])harbor(?:[.-]|$)/.test(name)) return 'harbor';
  if (/(?:^|[.-])zot(?:[.-]|$)/.test(name)) return 'zot';
  return 'distribution';
}
