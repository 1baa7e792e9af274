/**
 * A real CNCF distribution registry (Debian's docker-registry 2.8.2) on 127.0.0.1, in a temp dir, with
 * anonymous, htpasswd (basic) or bearer-token auth. Configuration reference:
 * https://distribution.github.io/distribution/about/configuration/
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';
import { makeTempDir, run, startDaemon, waitUntilReady, type Daemon } from './process';
import { startTokenServer, type RunningTokenServer, type TokenAccess, type TokenRequestRecord } from './token-server';

export type RegistryMode = 'anonymous' | 'basic' | 'token';

export interface RegistryUser {
  username: string;
  password: string;
  /** Token mode only: what the token server grants this user (default 'push'). */
  access?: TokenAccess;
}

export interface RegistryOptions {
  mode?: RegistryMode;
  /** Defaults: basic -> alice; token -> alice (push) and bob (pull only); anonymous -> none. */
  users?: RegistryUser[];
  /** Token mode: lifetime of issued tokens (default 300 s). The registry adds 60 s leeway to `exp`. */
  tokenExpiresInSeconds?: number;
  /** Token mode: repository name prefixes anonymous clients may pull. */
  anonymousPull?: string[];
  /**
   * Serve an existing storage directory (another registry's `storageDir`) instead of a fresh one. Several
   * registry instances on one storage is distribution's own scale-out setup (no cache is configured, so all
   * see the same state); the filesystem tree holds no auth state, so this gives the same content in any auth
   * mode without pushing it again. The directory is left in place by dispose().
   */
  sharedStorageDir?: string;
  /** Start on a copy of this storage directory (e.g. a snapshot of a seeded registry). */
  copyStorageFrom?: string;
  /** Where the temp dir goes: defaults to /dev/shm when it exists (tmpfs: the registry writes many small files). */
  baseDir?: string;
  /** `storage.delete.enabled` (default true); false plays a registry with deletes disabled (405 UNSUPPORTED). */
  deleteEnabled?: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** The request URI as received, query string included (e.g. `/v2/many/tags/tags/list?n=100`). */
  path: string;
  status: number;
  /** Response body bytes as logged by the registry. */
  bytes: number;
  userAgent: string;
}

export interface RegistryTokenInfo {
  /** Base URL of the token server (its /token endpoint is the realm). */
  url: string;
  realm: string;
  service: string;
  issuer: string;
  /** Token requests received so far (only in the process that started the registry; see fetchTokenRequests). */
  tokenRequests(): TokenRequestRecord[];
  clearTokenRequests(): void;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as used in image references. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  mode: RegistryMode;
  users: RegistryUser[];
  /** Temp dir holding config, storage (unless shared), logs (and token PKI). */
  rootDir: string;
  storageDir: string;
  /** The registry's stdout: one Apache combined-format line per request (see requestLog). */
  accessLogFile: string;
  token: RegistryTokenInfo | null;
  /** Kills the registry and waits for it to exit; storage and port are kept for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage (after stop()). */
  start(): Promise<void>;
  /** Parsed access log, without the test world's own requests unless `includeTestEnv`. */
  requestLog(options?: { includeTestEnv?: boolean }): Promise<RequestLogEntry[]>;
  /** stop() plus removal of the temp dir and the token server. */
  dispose(): Promise<void>;
}

const TOKEN_SERVICE = 'berth-test-registry';
const TOKEN_ISSUER = 'berth-test-token-server';

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

function defaultUsers(mode: RegistryMode): RegistryUser[] {
  if (mode === 'basic') return [{ username: 'alice', password: randomPassword() }];
  if (mode === 'token') {
    return [
      { username: 'alice', password: randomPassword(), access: 'push' },
      { username: 'bob', password: randomPassword(), access: 'pull' },
    ];
  }
  return [];
}

/*
 * distribution 2.8.2 writes its access log (gorilla/handlers CombinedLoggingHandler) to stdout in Apache
 * combined format, whatever `log.formatter` says; the JSON formatter applies to the application log on stderr.
 * So the access log is parsed from the combined format:
 *   127.0.0.1 - - [28/Nov/2026:23:25:20 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"
 */
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"/;

export function parseAccessLog(text: string): RequestLogEntry[] {
  const entries: RequestLogEntry[] = [];
  for (const line of text.split('\n')) {
    const match = ACCESS_LINE.exec(line);
    if (!match) continue;
    entries.push({
      method: match[1]!,
      path: match[2]!,
      status: Number(match[3]),
      bytes: match[4] === '-' ? 0 : Number(match[4]),
      userAgent: match[5]!,
    });
  }
  return entries;
}

/**
 * User-Agent prefix of the test world's own traffic (readiness probes, seeding). requestLog() leaves those
 * requests out unless asked, so tests see only the requests their code under test made.
 */
export const TEST_ENV_USER_AGENT = 'berth-test-env';

/** Reads a registry's access log by file (e.g. the shared world's, from a test worker). */
export async function readRequestLog(
  accessLogFile: string,
  options: { includeTestEnv?: boolean } = {},
): Promise<RequestLogEntry[]> {
  // The registry logs a request right after writing its response; give in-flight lines a moment to land.
  await sleep(50);
  const entries = parseAccessLog(await readFile(accessLogFile, 'utf8').catch(() => ''));
  return options.includeTestEnv ? entries : entries.filter((entry) => !entry.userAgent.startsWith(TEST_ENV_USER_AGENT));
}

function registryConfig(options: { port: number; storageDir: string; auth: string; deleteEnabled: boolean }): string {
  return `version: 0.1
log:
  level: warn
  formatter: json
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${options.storageDir}
  delete:
    enabled: ${options.deleteEnabled}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${options.port}
  secret: ${randomBytes(16).toString('hex')}
${options.auth}`;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const mode = options.mode ?? 'anonymous';
  const users = options.users ?? defaultUsers(mode);
  const rootDir = await makeTempDir(
    `berth-registry-${mode}-`,
    options.baseDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()),
  );
  const storageDir = options.sharedStorageDir ?? join(rootDir, 'storage');
  const configFile = join(rootDir, 'config.yml');
  const accessLogFile = join(rootDir, 'access.log');
  const appLogFile = join(rootDir, 'registry.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  let tokenServer: RunningTokenServer | null = null;
  let auth = '';
  if (mode === 'basic') {
    // bcrypt is the only hash distribution accepts; the lowest cost (4) keeps per-request verification cheap.
    const lines = await Promise.all(
      users.map((user) =>
        run('htpasswd', ['-Bbn', '-C', '4', user.username, user.password]).then((out) => out.stdout.trim()),
      ),
    );
    const htpasswdFile = join(rootDir, 'htpasswd');
    await writeFile(htpasswdFile, `${lines.join('\n')}\n`);
    auth = `auth:\n  htpasswd:\n    realm: berth-test-registry\n    path: ${htpasswdFile}\n`;
  } else if (mode === 'token') {
    tokenServer = await startTokenServer({
      users: users.map((user) => ({ username: user.username, password: user.password, access: user.access ?? 'push' })),
      service: TOKEN_SERVICE,
      issuer: TOKEN_ISSUER,
      dir: rootDir,
      expiresInSeconds: options.tokenExpiresInSeconds,
      anonymousPull: options.anonymousPull,
    });
    auth = `auth:
  token:
    realm: ${tokenServer.realm}
    service: ${TOKEN_SERVICE}
    issuer: ${TOKEN_ISSUER}
    rootcertbundle: ${tokenServer.rootCertBundle}
`;
  }
  await writeFile(configFile, registryConfig({ port, storageDir, auth, deleteEnabled: options.deleteEnabled ?? true }));
  await mkdir(storageDir, { recursive: true });
  if (options.copyStorageFrom !== undefined)
    await run('cp', ['-a', `${options.copyStorageFrom}/.`, `${storageDir}/`], { timeoutMs: 300_000 });

  let daemon: Daemon | null = null;
  const start = async (): Promise<void> => {
    if (daemon?.isRunning()) return;
    const started = startDaemon(
      `docker-registry (${mode}, ${url})`,
      'docker-registry',
      ['serve', configFile],
      appLogFile,
      {
        stdoutFile: accessLogFile,
      },
    );
    daemon = started;
    await waitUntilReady(started, async () => {
      const response = await fetch(`${url}/v2/`, {
        headers: { 'user-agent': `${TEST_ENV_USER_AGENT}/readiness` },
        signal: AbortSignal.timeout(1_000),
      });
      await response.arrayBuffer();
      return response.status === 200 || response.status === 401;
    });
  };
  const stop = async (): Promise<void> => {
    await daemon?.stop();
  };

  try {
    await start();
  } catch (error) {
    await tokenServer?.close();
    throw error;
  }

  const token: RegistryTokenInfo | null = tokenServer && {
    url: tokenServer.url,
    realm: tokenServer.realm,
    service: tokenServer.service,
    issuer: tokenServer.issuer,
    tokenRequests: tokenServer.tokenRequests,
    clearTokenRequests: tokenServer.clearTokenRequests,
  };
  return {
    host: `127.0.0.1:${port}`,
    url,
    mode,
    users,
    rootDir,
    storageDir,
    accessLogFile,
    token,
    stop,
    start,
    requestLog: (logOptions) => readRequestLog(accessLogFile, logOptions),
    async dispose() {
      await stop();
      await tokenServer?.close();
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}
