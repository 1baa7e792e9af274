import { stat } from 'node:fs/promises';
import { BerthError, isBerthError, type ErrorData } from '../../shared/errors';
import type { CredentialSource } from '../../shared/types/settings';
import type { CredentialResolver, RegistryCredential } from './credential';
import type { CredentialHelperOptions } from './credential-helper';
import {
  dockerConfigPath,
  dockerConfigVersion,
  listDockerHosts,
  lookupDockerCredential,
  readDockerConfig,
  type DockerConfig,
  type DockerHostSummary,
} from './docker-config';
import { tryNormalizeHost } from './hosts';
import type { SecretBacking, SecretStore } from './secret-store';
import type { SettingsStore } from './settings-store';

/** Where a host's credential comes from, as people and the UI see it: never the secret. */
export interface CredentialDescription {
  source: CredentialSource;
  username?: string;
  /** The file or program, for docker-config and credential-helper sources. */
  origin?: string;
  /** Why this credential is not what the user may expect (session only: no keychain). */
  notice?: string;
  /** The credential exists but cannot be used now (locked keychain, broken helper, bad Docker config). */
  problem?: ErrorData;
}

export interface CredentialService {
  /** For the registry and engine clients: keychain (or session) first, then the Docker config and helpers. */
  resolve: CredentialResolver;
  describe(host: string): Promise<CredentialDescription>;
  /** Keeps a (verified) credential as Berth's own for `host`; the registry must be in the settings. */
  save(host: string, username: string, secret: string): Promise<SecretBacking>;
  /** Removes Berth's own credential for `host`; the Docker config is never touched. */
  forget(host: string): Promise<boolean>;
  /** Hosts the user's Docker config has logins for. */
  dockerHosts(): Promise<DockerHostSummary[]>;
  backing(): Promise<SecretBacking>;
}

export interface CredentialServiceOptions {
  settings: SettingsStore;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  /**
   * Keeps keychain items of several Berth profiles (BERTH_CONFIG_DIR) apart: accounts become
   * `HOST (SCOPE)`. Undefined for the default profile, whose accounts are plain hosts.
   */
  accountScope?: string;
  helperTimeoutMs?: number;
}

interface Lookup extends CredentialDescription {
  credential?: RegistryCredential;
}

/** What Berth puts in the keychain item: one JSON string, so username and secret stay together. */
interface StoredSecret {
  username: string;
  secret: string;
}

export function createCredentialService(options: CredentialServiceOptions): CredentialService {
  const { settings, secrets } = options;
  const helperOptions: CredentialHelperOptions = {
    env: options.env,
    ...(options.helperTimeoutMs ? { timeoutMs: options.helperTimeoutMs } : {}),
  };
  const dockerPath = dockerConfigPath(options.env);
  const account = (host: string) => (options.accountScope ? `${host} (${options.accountScope})` : host);

  // Per host for the life of the process, keyed by the versions of both files, so a `docker login` or a
  // `berth login` in another process is picked up; problems are not cached (a keychain gets unlocked).
  const cache = new Map<string, { version: string; lookup: Promise<Lookup> }>();
  let dockerConfig: { version: string; config: Promise<DockerConfig> } | undefined;

  async function versions(): Promise<string> {
    const settingsVersion = await stat(settings.path).then(
      (info) => `${info.mtimeMs}:${info.size}`,
      () => 'absent',
    );
    return `${settingsVersion}|${await dockerConfigVersion(dockerPath)}`;
  }

  async function readDocker(): Promise<DockerConfig> {
    const version = await dockerConfigVersion(dockerPath);
    if (dockerConfig?.version !== version) {
      const config = readDockerConfig(dockerPath);
      dockerConfig = { version, config };
      config.catch(() => {
        if (dockerConfig?.config === config) dockerConfig = undefined;
      });
    }
    return dockerConfig.config;
  }

  async function ownLookup(host: string): Promise<Lookup | undefined> {
    const record = settings.registries().find((registry) => registry.host === host);
    const backing = await secrets.backing();
    if (record?.keychain) {
      if (backing.kind === 'session') {
        throw new BerthError(
          'keychain_unavailable',
          `Berth's credential for ${host} is in the OS keychain, which is not available now. ${backing.reason}`,
        );
      }
      // The keychain store tells a locked keychain (keychain_locked) from a missing item; an item removed
      // outside Berth (e.g. in Seahorse or Keychain Access) means the user dropped it: fall through.
      const stored = await secrets.get(account(host));
      if (stored === undefined) return undefined;
      const { username, secret } = parseStoredSecret(stored, host);
      return { source: 'keychain', username, credential: { kind: 'basic', username, password: secret } };
    }
    if (backing.kind === 'session') {
      const stored = await secrets.get(account(host));
      if (stored === undefined) return undefined;
      const { username, secret } = parseStoredSecret(stored, host);
      return {
        source: 'session',
        username,
        notice: sessionNotice(backing),
        credential: { kind: 'basic', username, password: secret },
      };
    }
    return undefined;
  }

  async function dockerLookup(host: string): Promise<Lookup | undefined> {
    const found = await lookupDockerCredential(await readDocker(), host, helperOptions);
    if (!found) return undefined;
    const username = found.credential.kind === 'registry-token' ? undefined : found.credential.username;
    return {
      source: found.source,
      origin: found.origin,
      credential: found.credential,
      ...(username ? { username } : {}),
    };
  }

  async function lookup(host: string): Promise<Lookup> {
    const own = await settle('keychain', () => ownLookup(host));
    if (own) return own;
    const fromDocker = await settle(undefined, () => dockerLookup(host));
    return fromDocker ?? { source: 'none' };
  }

  /** Runs one source; a failure becomes a described problem (with the source it belongs to), not a throw. */
  async function settle(
    source: CredentialSource | undefined,
    run: () => Promise<Lookup | undefined>,
  ): Promise<Lookup | undefined> {
    try {
      return await run();
    } catch (error) {
      if (!isBerthError(error)) throw error;
      const failedSource = source ?? (error.details?.helper ? 'credential-helper' : 'docker-config');
      return { source: failedSource, problem: error.toData() };
    }
  }

  async function cachedLookup(host: string): Promise<Lookup> {
    const version = await versions();
    const hit = cache.get(host);
    if (hit && hit.version === version) return hit.lookup;
    const pending = lookup(host);
    cache.set(host, { version, lookup: pending });
    const result = await pending.catch((error: unknown) => {
      cache.delete(host);
      throw error;
    });
    if (result.problem && cache.get(host)?.lookup === pending) cache.delete(host);
    return result;
  }

  return {
    async resolve(rawHost) {
      const host = tryNormalizeHost(rawHost);
      if (!host) return undefined;
      const found = await cachedLookup(host);
      if (found.problem) throw new BerthError(found.problem.code, found.problem.message, found.problem.details);
      return found.credential;
    },

    async describe(rawHost) {
      const host = tryNormalizeHost(rawHost);
      if (!host) return { source: 'none' };
      // From the settings entry, without reading the keychain: listing registries must not prompt (macOS
      // asks per item) nor fail on a locked keychain. Using the credential reports those problems.
      const keychain = settings.registries().find((registry) => registry.host === host)?.keychain;
      if (keychain && (await secrets.backing()).kind === 'keychain')
        return { source: 'keychain', username: keychain.username };
      const { credential: _secret, ...description } = await cachedLookup(host);
      return description;
    },

    async save(host, username, secret) {
      // Read first: a settings file that cannot be updated must fail before the keychain is touched.
      const known = settings.registries().some((registry) => registry.host === host);
      const backing = await secrets.backing();
      if (backing.kind === 'keychain' && !known)
        throw new BerthError('not_found', `${host} is not one of Berth's registries; add it first`);
      const payload: StoredSecret = { username, secret };
      await secrets.set(account(host), JSON.stringify(payload));
      cache.delete(host);
      if (backing.kind === 'keychain') {
        try {
          settings.updateRegistries((registries) =>
            registries.map((registry) =>
              registry.host === host
                ? { ...registry, keychain: { username, storedAt: new Date().toISOString() } }
                : registry,
            ),
          );
        } catch (error) {
          // Without the settings entry the item would be invisible: take it back out, report the settings problem.
          await secrets.delete(account(host)).catch(() => false);
          throw error;
        }
      }
      return backing;
    },

    async forget(host) {
      const record = settings.registries().find((registry) => registry.host === host);
      const backing = await secrets.backing();
      if (record?.keychain && backing.kind === 'session') {
        // Dropping the settings entry now would leave the secret in the keychain, unseen: refuse instead.
        throw new BerthError(
          'keychain_unavailable',
          `Berth's credential for ${host} is in the OS keychain, which is not available now, so it was not removed. ${backing.reason}`,
        );
      }
      // Throws keychain_locked rather than answering "nothing removed" for a locked keychain, so the
      // settings entry stays until the item is really gone.
      const removed = await secrets.delete(account(host));
      cache.delete(host);
      if (!record?.keychain) return removed;
      settings.updateRegistries((registries) =>
        registries.map((registry) => (registry.host === host ? withoutKeychain(registry) : registry)),
      );
      return true;
    },

    async dockerHosts() {
      return listDockerHosts(await readDocker(), helperOptions);
    },

    backing: () => secrets.backing(),
  };
}

function withoutKeychain<T extends { keychain?: unknown }>(registry: T): Omit<T, 'keychain'> {
  const { keychain: _removed, ...rest } = registry;
  return rest;
}

function parseStoredSecret(stored: string, host: string): StoredSecret {
  try {
    const value = JSON.parse(stored) as Partial<StoredSecret>;
    if (typeof value.username === 'string' && typeof value.secret === 'string')
      return { username: value.username, secret: value.secret };
  } catch {
    // Reported below without quoting the item, which holds a secret.
  }
  throw new BerthError(
    'config_invalid',
    `The keychain item for ${host} was not written by Berth (or was edited). Log in to ${host} again to replace it.`,
  );
}

export function sessionNotice(backing: SecretBacking): string | undefined {
  // The reason already names the fix in one sentence; nesting it in parentheses would not read.
  return backing.kind === 'session'
    ? `${backing.reason} This credential is kept for this session only and is never written to a file.`
    : undefined;
}
