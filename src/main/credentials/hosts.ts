import { BerthError } from '../../shared/errors';
import type { RegistryKind } from '../../shared/types/settings';

/** Berth's one name for Docker Hub. Docker itself knows it under several (see DOCKER_HUB_ALIASES). */
export const DOCKER_HUB_HOST = 'docker.io';

/**
 * The key Docker uses for Hub credentials in `auths`, `credHelpers` and helper calls (docker/cli
 * `registry.IndexServer`), kept for compatibility with the v1 API that no longer exists.
 */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// A DNS name or IPv4 address with an optional port, or a bracketed IPv6 address with an optional port.
const HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

export interface ParsedHost {
  /** Lower case `name[:port]`; Docker Hub is always `docker.io`. */
  host: string;
  /** The input said `http://`: the user means a plain-HTTP registry. */
  plainHttp: boolean;
}

/**
 * Accepts what people paste: `ghcr.io`, `https://ghcr.io/`, `127.0.0.1:5000`, Docker's
 * `https://index.docker.io/v1/`, and reduces it to the host Berth keys registries and credentials by.
 */
export function parseRegistryHost(input: string): ParsedHost {
  const trimmed = input.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  if (scheme && !/^https?$/i.test(scheme[1] ?? '')) {
    throw new BerthError('invalid_input', `"${trimmed.slice(0, 80)}" is not a registry address: only http:// and https:// are registries`);
  }
  const withoutScheme = scheme ? trimmed.slice(scheme[0].length) : trimmed;
  const host = (withoutScheme.split('/')[0] ?? '').toLowerCase();
  const match = HOST_PATTERN.exec(host);
  const port = match?.[1] === undefined ? undefined : Number(match[1]);
  if (!match || host.length > 253 || (port !== undefined && (port < 1 || port > 65_535))) {
    throw new BerthError('invalid_input', `"${trimmed.slice(0, 80)}" is not a registry host: expected a name like ghcr.io or 127.0.0.1:5000`);
  }
  return { host: DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_HOST : host, plainHttp: /^http$/i.test(scheme?.[1] ?? '') };
}

export function normalizeHost(input: string): string {
  return parseRegistryHost(input).host;
}

/** Like normalizeHost, for keys read from files people edit: undefined instead of an error. */
export function tryNormalizeHost(input: string): string | undefined {
  try {
    return normalizeHost(input);
  } catch {
    return undefined;
  }
}

/** The server address Docker stores a host's credential under (`auths` key, helper `get` argument). */
export function dockerServerAddress(host: string): string {
  return host === DOCKER_HUB_HOST ? DOCKER_HUB_CONFIG_KEY : host;
}

/** A stable, readable registry id: `127.0.0.1-5000`, `ghcr.io`. */
export function registryIdForHost(host: string): string {
  return host.replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'registry';
}

/** A best guess of the product behind a host, used for defaults and hints; the user can change it. */
export function guessRegistryKind(host: string): RegistryKind {
  const name = host.replace(/:\d+$/, '');
  if (name === DOCKER_HUB_HOST) return 'dockerhub';
  if (name === 'ghcr.io') return 'ghcr';
  if (name === 'quay.io' || name.startsWith('quay.')) return 'quay';
  if (/\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(name) || name === 'public.ecr.aws') return 'ecr';
  if (name.endsWith('.azurecr.io') || name.endsWith('.azurecr.cn') || name.endsWith('.azurecr.us')) return 'acr';
  if (name.endsWith('-docker.pkg.dev') || name === 'gcr.io' || name.endsWith('.gcr.io')) return 'gar';
  if (name === 'registry.gitlab.com' || /(?:^|[.-])gitlab(?:[.-]|$)/.test(name)) return 'gitlab';
  if (/(?:^|[.-])harbor(?:[.-]|$)/.test(name)) return 'harbor';
  if (/(?:^|[.-])zot(?:[.-]|$)/.test(name)) return 'zot';
  return 'distribution';
}
