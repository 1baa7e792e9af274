import { stat, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BerthError } from '../../shared/errors';
import type { RegistryCredential } from './credential';
import { helperGet, helperList, type CredentialHelperOptions } from './credential-helper';
import { dockerServerAddress, tryNormalizeHost } from './hosts';
import { formatIssuePath, parseJsonText } from './json-text';

/**
 * The user's Docker client config, read (never written) so that registries they reach with `docker login`
 * work in Berth from the first start. Field meanings follow docker/cli `cli/config/configfile` and
 * `cli/config/credentials`: `auths` (base64 `user:password` in `auth`, or an `identitytoken`), a default
 * `credsStore` helper and per-registry `credHelpers`.
 */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

type AuthEntry = z.infer<typeof authEntrySchema>;

export interface DockerConfig {
  path: string;
  exists: boolean;
  /** `auths` by normalised host, with the key it was found under (for messages). */
  auths: Map<string, { key: string; entry: AuthEntry }>;
  credsStore?: string;
  /** `credHelpers` by normalised host. */
  credHelpers: Map<string, string>;
}

/** What identifies one version of the file, so a `docker login` while Berth runs is noticed. */
export async function dockerConfigVersion(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return 'absent';
  }
}

export async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { path, exists: false, auths: new Map(), credHelpers: new Map() };
    throw new BerthError(
      'config_invalid',
      `Your Docker config ${path} cannot be read: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}`,
      { file: path },
    );
  }
  const parsed = dockerConfigSchema.safeParse(parseJsonText(text, `Your Docker config ${path}`));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BerthError(
      'config_invalid',
      `Your Docker config ${path} is not in Docker's format at ${formatIssuePath(issue?.path ?? []) || 'top level'}: ${issue?.message ?? 'rejected'}`,
      {
        file: path,
      },
    );
  }
  const auths = new Map<string, { key: string; entry: AuthEntry }>();
  for (const [key, entry] of Object.entries(parsed.data.auths ?? {})) {
    const host = tryNormalizeHost(key);
    // Docker matches the exact key first and converts legacy keys (`https://host/v1/`) only as a fallback.
    if (host && (!auths.has(host) || key === dockerServerAddress(host))) auths.set(host, { key, entry });
  }
  const credHelpers = new Map<string, string>();
  for (const [key, helper] of Object.entries(parsed.data.credHelpers ?? {})) {
    const host = tryNormalizeHost(key);
    if (host && helper) credHelpers.set(host, helper);
  }
  return {
    path,
    exists: true,
    auths,
    ...(parsed.data.credsStore ? { credsStore: parsed.data.credsStore } : {}),
    credHelpers,
  };
}

/** Docker's choice of helper for a host: its own `credHelpers` entry, else the default `credsStore`. */
export function helperFor(config: DockerConfig, host: string): string | undefined {
  return config.credHelpers.get(host) ?? config.credsStore;
}

export interface DockerCredential {
  source: 'docker-config' | 'credential-helper';
  /** For people: which file or program it came from. */
  origin: string;
  credential: RegistryCredential;
}

/**
 * The credential Docker itself would use for `host`. When a helper is configured for the host, Docker
 * asks only the helper (native store), so `auths` is consulted only when none is.
 */
export async function lookupDockerCredential(
  config: DockerConfig,
  host: string,
  helperOptions: CredentialHelperOptions,
): Promise<DockerCredential | undefined> {
  const helper = helperFor(config, host);
  if (helper) {
    const credential = await helperLookup(helper, host, helperOptions);
    return credential && { source: 'credential-helper', origin: `docker-credential-${helper}`, credential };
  }
  const found = config.auths.get(host);
  if (!found) return undefined;
  const credential = credentialFromAuthEntry(
    found.entry,
    `the "${found.key}" entry of auths in your Docker config ${config.path}`,
  );
  return credential && { source: 'docker-config', origin: config.path, credential };
}

async function helperLookup(
  helper: string,
  host: string,
  options: CredentialHelperOptions,
): Promise<RegistryCredential | undefined> {
  const address = dockerServerAddress(host);
  const direct = await helperGet(helper, address, options);
  if (direct) return direct;
  // Other tools store under other spellings (`https://host`, `host/v2/`): the helper's list knows them.
  for (const server of (await helperList(helper, options)).keys()) {
    if (server !== address && tryNormalizeHost(server) === host) {
      const credential = await helperGet(helper, server, options);
      if (credential) return credential;
    }
  }
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** docker/cli `decodeAuth` plus the token fields; `where` names the entry (never its value) in errors. */
function credentialFromAuthEntry(entry: AuthEntry, where: string): RegistryCredential | undefined {
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    if (!BASE64.test(entry.auth))
      throw new BerthError(
        'config_invalid',
        `The auth value in ${where} is not valid base64. Run docker login again for it.`,
      );
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(entry.auth, 'base64'));
    } catch {
      throw new BerthError(
        'config_invalid',
        `The auth value in ${where} does not decode to text. Run docker login again for it.`,
      );
    }
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new BerthError(
        'config_invalid',
        `The auth value in ${where} is not "username:password" in base64. Run docker login again for it.`,
      );
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken)
    return { kind: 'identity-token', token: entry.identitytoken, ...(username ? { username } : {}) };
  if (entry.registrytoken) return { kind: 'registry-token', token: entry.registrytoken };
  if (!username && !password) return undefined;
  return { kind: 'basic', username, password };
}

export interface DockerHostSummary {
  host: string;
  source: 'docker-config' | 'credential-helper';
  username?: string;
}

/**
 * Every host the Docker config knows a login for, with the username where it is known without reading a
 * secret: decoded from `auths`, or from the helpers' `list`.
 */
export async function listDockerHosts(
  config: DockerConfig,
  helperOptions: CredentialHelperOptions,
): Promise<DockerHostSummary[]> {
  const listed = new Map<string, Promise<Map<string, string>>>();
  const helperEntries = (helper: string) => {
    if (!listed.has(helper))
      listed.set(
        helper,
        helperList(helper, helperOptions).catch(() => new Map<string, string>()),
      );
    return listed.get(helper) as Promise<Map<string, string>>;
  };
  const hosts = new Set<string>([...config.auths.keys(), ...config.credHelpers.keys()]);
  if (config.credsStore) {
    for (const server of (await helperEntries(config.credsStore)).keys()) {
      const host = tryNormalizeHost(server);
      if (host) hosts.add(host);
    }
  }
  const summaries: DockerHostSummary[] = [];
  for (const host of [...hosts].sort()) {
    const helper = helperFor(config, host);
    if (helper) {
      const entries = await helperEntries(helper);
      const username =
        entries.get(dockerServerAddress(host)) ??
        [...entries].find(([server]) => tryNormalizeHost(server) === host)?.[1];
      summaries.push({
        host,
        source: 'credential-helper',
        ...(username && username !== '<token>' ? { username } : {}),
      });
    } else {
      const found = config.auths.get(host);
      let username: string | undefined;
      try {
        const credential = found && credentialFromAuthEntry(found.entry, found.key);
        username = credential?.kind === 'registry-token' ? undefined : credential?.username;
      } catch {
        // A broken entry is still a host the user logged in to; its problem shows when it is used.
      }
      if (found && !hasLogin(found.entry)) continue;
      summaries.push({ host, source: 'docker-config', ...(username ? { username } : {}) });
    }
  }
  return summaries;
}

function hasLogin(entry: AuthEntry): boolean {
  return Boolean(entry.auth || entry.username || entry.password || entry.identitytoken || entry.registrytoken);
}
