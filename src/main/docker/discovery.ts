import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EngineSource } from '../../shared/types/docker';
import type { EngineTls } from './endpoint';

/** An engine Berth could use, in the order the Docker CLI would consider it. */
export interface EngineCandidate {
  host: string;
  source: Exclude<EngineSource, 'user'>;
  contextName?: string;
  tls?: EngineTls;
  /** The socket file exists (always true for tcp, which can only be known by connecting). */
  present: boolean;
}

export interface Discovery {
  /** The engine the Docker CLI would use (the first of env, selected context, default), or a present Podman. */
  selected: EngineCandidate;
  /** Every engine found: the selected one, the other contexts, the platform default, Podman sockets. */
  candidates: EngineCandidate[];
  /** Something the user should know about the choice (a dangling context, a malformed config). */
  warnings: string[];
}

export interface DiscoveryInput {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Defaults to the OS home; tests point it at a temp folder. */
  homeDir?: string;
}

const DEFAULT_CONTEXT = 'default';

/** The Docker CLI's config folder: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv, homeDir = env.HOME ?? homedir()): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG.length > 0 ? env.DOCKER_CONFIG : join(homeDir, '.docker');
}

/**
 * Finds the engine as the Docker CLI does (docker/cli command.resolveContextName and the default context):
 * DOCKER_HOST, then DOCKER_CONTEXT or config.json `currentContext` from the context store, then the
 * platform's default socket. When that default socket is absent but a Podman socket is there, Podman is
 * picked, since its Docker-compatible API is what such a machine has.
 */
export async function discoverEngines(input: DiscoveryInput): Promise<Discovery> {
  const env = input.env;
  const platform = input.platform ?? process.platform;
  const homeDir = input.homeDir ?? env.HOME ?? homedir();
  const configDir = dockerConfigDir(env, homeDir);
  const warnings: string[] = [];

  const contexts = await readContextStore(configDir, warnings);
  const platformDefault = await candidate(platformDefaultHost(platform), 'default');
  const podman = await presentCandidates(podmanHosts(env, platform, homeDir), 'podman');
  const envHost = env.DOCKER_HOST?.trim();

  let selected: EngineCandidate | undefined;
  if (envHost) {
    selected = await candidate(envHost, 'env', envTls(env, configDir));
  } else {
    const wanted = env.DOCKER_CONTEXT?.trim() || (await currentContextName(configDir, warnings));
    if (wanted && wanted !== DEFAULT_CONTEXT) {
      selected = contexts.find((c) => c.contextName === wanted);
      if (!selected)
        warnings.push(
          `Docker context "${wanted}" is selected but not found in ${join(configDir, 'contexts')}; using the default engine.`,
        );
    }
  }
  selected ??= platformDefault.present || podman.length === 0 ? platformDefault : podman[0]!;

  const candidates: EngineCandidate[] = [];
  for (const c of [selected, ...contexts, platformDefault, ...podman]) {
    if (!candidates.some((known) => known.host === c.host)) candidates.push(c);
  }
  return { selected, candidates, warnings };
}

/** Where each platform's engine listens by default (the Docker CLI's DefaultDockerHost). */
export function platformDefaultHost(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

/** Podman's API sockets: rootless, rootful, and Podman machine on macOS and Windows. */
function podmanHosts(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, homeDir: string): string[] {
  if (platform === 'win32') return ['npipe:////./pipe/podman-machine-default'];
  const hosts: string[] = [];
  if (env.XDG_RUNTIME_DIR) hosts.push(`unix://${join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')}`);
  if (platform === 'darwin') {
    hosts.push(`unix://${join(homeDir, '.local', 'share', 'containers', 'podman', 'machine', 'podman.sock')}`);
    if (env.TMPDIR) hosts.push(`unix://${join(env.TMPDIR, 'podman', 'podman-machine-default-api.sock')}`);
  } else {
    hosts.push('unix:///run/podman/podman.sock');
  }
  return hosts;
}

/** DOCKER_TLS_VERIFY / DOCKER_TLS with certificates from DOCKER_CERT_PATH (default: the config folder). */
function envTls(env: NodeJS.ProcessEnv, configDir: string): EngineTls | undefined {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  return tlsFiles(env.DOCKER_CERT_PATH || configDir, verify);
}

/** TLS settings for a host the user typed: treated as DOCKER_HOST would be. */
export function userHostTls(env: NodeJS.ProcessEnv, homeDir?: string): EngineTls | undefined {
  return envTls(env, dockerConfigDir(env, homeDir));
}

function tlsFiles(dir: string, verify: boolean): EngineTls {
  return { verify, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

async function candidate(
  host: string,
  source: EngineCandidate['source'],
  tls?: EngineTls,
  contextName?: string,
): Promise<EngineCandidate> {
  return {
    host,
    source,
    present: await socketPresent(host),
    ...(tls ? { tls } : {}),
    ...(contextName ? { contextName } : {}),
  };
}

async function presentCandidates(hosts: string[], source: EngineCandidate['source']): Promise<EngineCandidate[]> {
  const found = await Promise.all(hosts.map((host) => candidate(host, source)));
  return found.filter((c) => c.present);
}

async function socketPresent(host: string): Promise<boolean> {
  const path = host.startsWith('unix://')
    ? host.slice('unix://'.length)
    : host.startsWith('npipe://')
      ? host.slice('npipe://'.length).replace(/\//g, '\\')
      : undefined;
  return path === undefined ? true : pathExists(path);
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function currentContextName(configDir: string, warnings: string[]): Promise<string | undefined> {
  const file = join(configDir, 'config.json');
  const config = await readJson(file, warnings);
  const name = (config as { currentContext?: unknown } | undefined)?.currentContext;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

interface ContextMeta {
  Name?: unknown;
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

/**
 * The CLI's context store: `contexts/meta/<sha256(name)>/meta.json` holds the endpoint, and
 * `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem` its TLS material when the context has any.
 */
async function readContextStore(configDir: string, warnings: string[]): Promise<EngineCandidate[]> {
  const metaRoot = join(configDir, 'contexts', 'meta');
  let entries: string[];
  try {
    entries = await readdir(metaRoot);
  } catch {
    return [];
  }
  const found: EngineCandidate[] = [];
  for (const entry of entries.sort()) {
    const meta = (await readJson(join(metaRoot, entry, 'meta.json'), warnings)) as ContextMeta | undefined;
    const name = meta?.Name;
    const endpoint = meta?.Endpoints?.docker;
    if (typeof name !== 'string' || typeof endpoint?.Host !== 'string') continue;
    const id = createHash('sha256').update(name).digest('hex');
    const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
    const tls = (await pathExists(tlsDir)) ? await contextTls(tlsDir, endpoint.SkipTLSVerify !== true) : undefined;
    found.push(await candidate(endpoint.Host, 'context', tls, name));
  }
  return found;
}

async function contextTls(dir: string, verify: boolean): Promise<EngineTls> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return {
    verify,
    ...(files.includes('ca.pem') ? { caFile: join(dir, 'ca.pem') } : {}),
    ...(files.includes('cert.pem') ? { certFile: join(dir, 'cert.pem') } : {}),
    ...(files.includes('key.pem') ? { keyFile: join(dir, 'key.pem') } : {}),
  };
}

async function readJson(file: string, warnings: string[]): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    warnings.push(`${file} is not valid JSON; ignored.`);
    return undefined;
  }
}
