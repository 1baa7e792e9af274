import { BerthError } from '../../shared/errors';
import type { AccessCheck, RequestOptions } from '../registry';

/** Whether a registry wants credentials, as far as Berth can tell before the engine tries. */
export type RegistryAuthNeed = 'open' | 'auth-required' | 'unknown';

export type RegistryProbe = (registry: string, signal?: AbortSignal) => Promise<RegistryAuthNeed>;

/**
 * Asks through Berth's registry client (its ping, TLS and insecure settings: one implementation of registry
 * auth), so that a push Berth has no credential for fails before the engine starts uploading. Anything
 * inconclusive (unreachable, TLS trouble) is `unknown`: the engine then tries and reports its own error.
 */
export function registryClientProbe(client: {
  checkAccess(registry: string, options?: RequestOptions): Promise<AccessCheck>;
}): RegistryProbe {
  return async (registry, signal) => {
    try {
      const access = await client.checkAccess(registry, signal ? { signal } : {});
      return access.requiresAuth ? 'auth-required' : 'open';
    } catch (error) {
      if (signal?.aborted) throw error;
      return error instanceof BerthError && (error.code === 'unauthorized' || error.code === 'denied')
        ? 'auth-required'
        : 'unknown';
    }
  };
}
