import { BerthError, isBerthError } from '../../shared/errors';
import type { RegistryStatus } from '../../shared/types/settings';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../registry';
import type { RegistryCredential } from './credential';
import type { RegistryVerifier } from './registry-service';

export interface RegistryVerifierOptions {
  /** The app's registry client (its resolver is the credential service). */
  client: () => RegistryClient;
  /** The same transport settings the app's client has, for the one-off client that tries a new credential. */
  probeOptions: () => Omit<RegistryClientOptions, 'credentials'>;
}

/** Unreachable, bad TLS, timed out: the registry could not be asked at all. */
const UNREACHABLE = new Set(['unreachable', 'tls', 'timeout']);

/** Registry access checks over the registry client: one implementation of registry auth in Berth. */
export function createRegistryVerifier(options: RegistryVerifierOptions): RegistryVerifier {
  return {
    async verify(host, credential, signal) {
      // A one-off client whose only credential is the candidate, so nothing is stored before the registry
      // accepts it and no cached token of the app's client can make a wrong password look right.
      const probe = createRegistryClient({
        ...options.probeOptions(),
        credentials: async (registry) => (registry === host ? credential : undefined),
      });
      try {
        const result = await probe.checkAccess(host, signal ? { signal } : {});
        return { challenged: result.requiresAuth };
      } catch (error) {
        if (isBerthError(error) && error.code === 'unauthorized') throw rejected(host, credential, error);
        throw error;
      } finally {
        await probe.close();
      }
    },

    async status(host, signal) {
      const client = options.client();
      try {
        const access = await client.checkAccess(host, signal ? { signal } : {});
        const rateLimit = await client.rateLimit(host);
        return {
          reachable: true,
          authenticated: access.authenticated,
          ...(access.requiresAuth ? {} : { message: `${host} serves anonymously` }),
          ...(rateLimit ? { rateLimit } : {}),
        } satisfies Omit<RegistryStatus, 'id'>;
      } catch (error) {
        if (!isBerthError(error) || error.code === 'cancelled') throw error;
        return { reachable: !UNREACHABLE.has(error.code), authenticated: false, message: error.message };
      }
    },

    forget(host) {
      options.client().forget(host);
    },
  };
}

function rejected(host: string, credential: RegistryCredential, cause: BerthError): BerthError {
  const who = credential.kind === 'basic' ? ` for ${credential.username}` : '';
  return new BerthError(
    'unauthorized',
    `${host} rejected the credentials${who}: check the username and password (or token). Nothing was saved.`,
    cause.details,
    { cause },
  );
}
