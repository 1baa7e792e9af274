import { request } from 'undici';
import { isLoopbackHost, registryApiHost } from '../../shared/reference';

/** What an anonymous `GET /v2/` says about a registry. */
export type RegistryAccess = 'open' | 'auth-required' | 'unknown';

export type RegistryProbe = (registry: string, signal?: AbortSignal) => Promise<RegistryAccess>;

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Asks the registry's API root anonymously whether it wants credentials (distribution spec "API version
 * check": 401 means authentication is required), so that a push Berth has no credential for fails before the
 * engine starts uploading. HTTPS first; plain HTTP as well for loopback registries, which the engine treats
 * as insecure by default. No credential is ever sent here. Anything inconclusive (unreachable, TLS trouble)
 * is `unknown`: the engine then tries and reports its own error.
 */
export const probeRegistryAccess: RegistryProbe = async (registry, signal) => {
  const host = registryApiHost(registry);
  const schemes = isLoopbackHost(host) ? ['https', 'http'] : ['https'];
  for (const scheme of schemes) {
    try {
      const response = await request(`${scheme}://${host}/v2/`, {
        method: 'GET',
        headersTimeout: PROBE_TIMEOUT_MS,
        bodyTimeout: PROBE_TIMEOUT_MS,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]) : AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body.dump();
      if (response.statusCode === 401) return 'auth-required';
      if (response.statusCode === 200) return 'open';
      return 'unknown';
    } catch {
      if (signal?.aborted) return 'unknown';
    }
  }
  return 'unknown';
};
