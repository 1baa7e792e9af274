import { spawn } from 'node:child_process';
import { BerthError } from '../../shared/errors';
import type { RegistryCredential } from './credential';

/**
 * A client for Docker credential helpers (`docker-credential-NAME`), speaking their protocol: the action is
 * the only argument; `get` reads the server address on stdin and prints `{"ServerURL","Username","Secret"}`;
 * `list` prints `{serverURL: username}`; errors are printed on stdout with a non-zero exit.
 * https://github.com/docker/docker-credential-helpers#development (client/client.go)
 * Berth only reads: it never calls `store` or `erase` (the user's Docker setup is theirs).
 */
export interface CredentialHelperOptions {
  env: NodeJS.ProcessEnv;
  /** Some helpers prompt (pass asks gpg-agent, osxkeychain may ask to allow access): generous, but bounded. */
  timeoutMs?: number;
}

/** The exact message helpers print when they have nothing for a server (credentials.errCredentialsNotFoundMessage). */
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
/** Docker's convention: this username means the secret is an identity (refresh) token. */
const TOKEN_USERNAME = '<token>';
const MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

// The name becomes part of a program name: nothing that could reach another folder or option.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function helperProgram(name: string): string {
  if (!HELPER_NAME.test(name) || name.length > 64) {
    throw new BerthError(
      'config_invalid',
      `"${name.slice(0, 64)}" is not a credential helper name (Docker runs docker-credential-NAME)`,
    );
  }
  return `docker-credential-${name}`;
}

export async function helperGet(
  name: string,
  serverAddress: string,
  options: CredentialHelperOptions,
): Promise<RegistryCredential | undefined> {
  const program = helperProgram(name);
  const result = await runHelper(program, 'get', serverAddress, options);
  if (result.code !== 0) {
    if (result.stdout.trim() === NOT_FOUND_MESSAGE) return undefined;
    throw helperFailed(program, 'get', result);
  }
  const parsed = parseObject(result.stdout);
  const username = parsed?.Username;
  const secret = parsed?.Secret;
  if (typeof username !== 'string' || typeof secret !== 'string') {
    // Never quoted: a half-broken helper may well have printed the secret.
    throw new BerthError(
      'bad_response',
      `${program} get answered with something that is not a credential (expected JSON with Username and Secret)`,
      { helper: program },
    );
  }
  if (secret === '') return undefined;
  return username === TOKEN_USERNAME
    ? { kind: 'identity-token', token: secret }
    : { kind: 'basic', username, password: secret };
}

/** Server address -> username of everything the helper holds (no secrets). */
export async function helperList(name: string, options: CredentialHelperOptions): Promise<Map<string, string>> {
  const program = helperProgram(name);
  const result = await runHelper(program, 'list', 'unused', options);
  if (result.code !== 0) throw helperFailed(program, 'list', result);
  const parsed = parseObject(result.stdout);
  if (!parsed)
    throw new BerthError('bad_response', `${program} list answered with something that is not a JSON object`, {
      helper: program,
    });
  const entries = new Map<string, string>();
  for (const [server, username] of Object.entries(parsed))
    if (typeof username === 'string') entries.set(server, username);
  return entries;
}

interface HelperResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runHelper(
  program: string,
  action: 'get' | 'list',
  input: string,
  options: CredentialHelperOptions,
): Promise<HelperResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const stop = (error: BerthError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      // Not waiting for 'close': a grandchild the helper started may hold the pipes open for long.
      child.stdout.destroy();
      child.stderr.destroy();
      reject(error);
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES)
        stop(
          new BerthError('bad_response', `${program} ${action} printed more than ${MAX_OUTPUT_BYTES} bytes`, {
            helper: program,
          }),
        );
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(
      () =>
        stop(
          new BerthError(
            'timeout',
            `${program} ${action} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`,
            { helper: program },
          ),
        ),
      timeoutMs,
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new BerthError(
              'config_invalid',
              `The Docker config names the credential helper "${program.slice('docker-credential-'.length)}", but ${program} is not on PATH`,
              { helper: program },
            )
          : new BerthError('config_invalid', `${program} could not be started: ${error.message}`, { helper: program }),
      );
    });
    child.once('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function helperFailed(program: string, action: string, result: HelperResult): BerthError {
  // Docker reports the helper's own words ("error getting credentials - err: exit status 1, out: ..."):
  // helpers print errors, not credentials, when they fail. One short line of it.
  const said = (result.stdout.trim() || result.stderr.trim())
    .split('\n')[0]
    ?.replace(/\p{Cc}/gu, ' ')
    .slice(0, 200);
  const exit = result.code === null ? 'was killed' : `exited with code ${result.code}`;
  return new BerthError('bad_response', `${program} ${action} ${exit}${said ? `: ${said}` : ''}`, { helper: program });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
