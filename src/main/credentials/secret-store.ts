import { BerthError } from '../../shared/errors';
import { firstErrorLine } from '../util/error-text';
import type { KeychainBacking } from '../../shared/types/app';

/**
 * Where Berth's own secrets live. The OS keychain (macOS Keychain, Windows Credential Vault, Secret Service
 * on Linux) through keytar; when there is none, memory for this process only. Never a file.
 *
 * There is deliberately no "list": keytar's `findCredentials` reads every password (a prompt per item on
 * macOS) and crashes the process on a locked Secret Service collection (libsecret returns a NULL value).
 * The settings file records which registries have a keychain secret instead.
 */
export interface SecretStore {
  /** Finds out (once) whether the OS keychain answers; the session fallback says why it is used. */
  backing(): Promise<SecretBacking>;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was removed. */
  delete(account: string): Promise<boolean>;
}

/** The session kind's `reason` is one line for people: what is missing and how to fix it. */
export type SecretBacking = KeychainBacking;

/** The part of keytar Berth uses. */
interface KeychainApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface SystemSecretStoreOptions {
  /** The keychain service name items are filed under, e.g. "Berth". */
  service: string;
}

const PROBE_ACCOUNT = 'berth-keychain-probe';

// In a variable, so TypeScript does not resolve it (type-check and build work without keytar, an optional
// dependency that npm drops where its native build fails) and bundlers leave it to run time (both the
// electron-vite main bundle and the CLI bundle keep keytar external).
const KEYTAR_MODULE: string = 'keytar';

/** Loaded on first use: keytar is a native module, and a missing or mis-built one only means "no keychain". */
async function loadKeytar(): Promise<KeychainApi> {
  const loaded = (await import(/* @vite-ignore */ KEYTAR_MODULE)) as KeychainApi & { default?: KeychainApi };
  return loaded.default ?? loaded;
}

/** What keytar's native build needs on each OS (npm builds it from source where no prebuilt binary downloads). */
const BUILD_NEEDS: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'install libsecret (Debian/Ubuntu: apt-get install libsecret-1-dev; Fedora: libsecret-devel)',
  darwin: 'install the Xcode command line tools (xcode-select --install), which `npm install` needs to build it',
  win32: 'install the Visual Studio C++ build tools, which `npm install` needs to build it',
};

/** Why the binding is unusable and the fix, in one line. */
function bindingReason(error: unknown, platform: NodeJS.Platform = process.platform): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  // The package itself is absent (npm removes an optional dependency whose build failed); a failure inside
  // it (its .node file missing, built for another Node ABI, a shared library missing) is "could not load".
  const absent =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]keytar['"]/.test(firstErrorLine(error));
  const what = absent
    ? 'The OS keychain binding (keytar) is not installed'
    : `The OS keychain binding (keytar) could not be loaded (${firstErrorLine(error)})`;
  const needs = BUILD_NEEDS[platform] ?? 'install a C++ build toolchain';
  return `${what}: ${needs}, then run \`${absent ? 'npm install' : 'npm rebuild keytar'}\` in the Berth folder.`;
}

/** The binding loaded but no keychain service answered; one line with what to start. */
function serviceReason(error: unknown, platform: NodeJS.Platform = process.platform): string {
  const detail = firstErrorLine(error);
  switch (platform) {
    case 'linux':
      return `No Secret Service answered on D-Bus (${detail}): start GNOME Keyring or KWallet in a desktop session (e.g. gnome-keyring-daemon --start --components=secrets).`;
    case 'darwin':
      return `The macOS Keychain did not answer (${detail}): unlock your login keychain in Keychain Access.`;
    case 'win32':
      return `Windows Credential Manager did not answer (${detail}): sign in with your own Windows account, not a temporary profile.`;
    default:
      return `No OS keychain answered (${detail}).`;
  }
}

/** The OS keychain when it answers, otherwise a session store; decided on first use and kept. */
export function createSystemSecretStore(options: SystemSecretStoreOptions): SecretStore {
  let chosen: Promise<{ store: SecretStore; backing: SecretBacking }> | undefined;

  function choose() {
    chosen ??= (async () => {
      const session = (reason: string) => ({
        store: createSessionSecretStore(reason),
        backing: { kind: 'session', reason } as const,
      });
      let keychain: KeychainApi;
      try {
        keychain = await loadKeytar();
      } catch (error) {
        return session(bindingReason(error));
      }
      try {
        // A read of an item that does not exist: no prompt anywhere, and it fails fast when there is no
        // keychain service (no D-Bus session, no Secret Service provider).
        await keychain.getPassword(options.service, PROBE_ACCOUNT);
      } catch (error) {
        return session(serviceReason(error));
      }
      return { store: createKeychainSecretStore(keychain, options.service), backing: { kind: 'keychain' } as const };
    })();
    return chosen;
  }

  return {
    backing: async () => (await choose()).backing,
    get: async (account) => (await choose()).store.get(account),
    set: async (account, secret) => (await choose()).store.set(account, secret),
    delete: async (account) => (await choose()).store.delete(account),
  };
}

/** Memory only, gone when the process exits; `reason` says why there is no keychain. */
export function createSessionSecretStore(
  reason = 'Berth was started with a session-only credential store.',
): SecretStore {
  const secrets = new Map<string, string>();
  return {
    backing: async () => ({ kind: 'session', reason }),
    get: async (account) => secrets.get(account),
    set: async (account, secret) => void secrets.set(account, secret),
    delete: async (account) => secrets.delete(account),
  };
}

function createKeychainSecretStore(keychain: KeychainApi, service: string): SecretStore {
  async function attempt<T>(action: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw keychainError(action, error);
    }
  }
  // A locked Secret Service collection answers reads with "no such item" and deletes with "nothing
  // removed" (the unlock prompt cannot be shown). Writing the probe item is what reveals the lock.
  async function assertUnlocked(action: string): Promise<void> {
    await attempt(action, async () => {
      await keychain.setPassword(service, PROBE_ACCOUNT, 'probe');
      await keychain.deletePassword(service, PROBE_ACCOUNT);
    });
  }
  return {
    backing: async () => ({ kind: 'keychain' }),
    async get(account) {
      const secret = await attempt('read', () => keychain.getPassword(service, account));
      if (secret === null) await assertUnlocked('read');
      return secret ?? undefined;
    },
    set: (account, secret) => attempt('save', () => keychain.setPassword(service, account, secret)),
    async delete(account) {
      const removed = await attempt('remove', () => keychain.deletePassword(service, account));
      if (!removed) await assertUnlocked('remove');
      return removed;
    },
  };
}

// Secret Service: "Cannot create an item in a locked collection"; macOS: errSecInteractionNotAllowed
// ("User interaction is not allowed.") or a dismissed unlock prompt ("The user canceled the operation.").
const LOCKED = /locked|interaction is not allowed|user cancel+ed/i;

function keychainError(action: string, error: unknown): BerthError {
  const reason = firstErrorLine(error);
  if (LOCKED.test(reason)) {
    return new BerthError(
      'keychain_locked',
      `The OS keychain is locked, so Berth could not ${action} the credential. Unlock it and try again.`,
      undefined,
      { cause: error },
    );
  }
  return new BerthError(
    'keychain_unavailable',
    `The OS keychain could not ${action} the credential: ${reason}`,
    undefined,
    { cause: error },
  );
}
