/**
 * A private Secret Service (gnome-keyring-daemon) on a private D-Bus session bus, for keytar and
 * docker-credential-secretservice. The test process points libsecret at it with
 *   process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS   (before keytar's first call)
 * and child processes get `{ ...process.env, ...keyring.env }`.
 *
 * Locked keychain (verified here with keytar 7.9.0 / libsecret 0.20 / gnome-keyring 42):
 *   - lock() locks the default ("login") collection through the Secret Service API (Service.Lock).
 *   - While locked, libsecret asks gnome-keyring to prompt for the password; no prompter can run here (the bus
 *     has no service activation), so the prompt fails within ~0.3 s and then:
 *       keytar.getPassword      -> resolves null (indistinguishable from "no such entry"!)
 *       keytar.setPassword      -> rejects "Cannot create an item in a locked collection"
 *       keytar.deletePassword   -> resolves false
 *       keytar.findCredentials  -> CRASHES the process (SIGSEGV in libsecret: secret_value_get_text(NULL)).
 *     So a product must check the collection's `Locked` property (isLocked() shows how) before reading, and
 *     never call findCredentials on a locked keychain in-process.
 *   - docker-credential-secretservice (0.6.4) on a locked keychain: `get` crashes (Go SIGSEGV, exit 2, libsecret
 *     CRITICAL on stderr), `store` exits 1, `list` still answers (attributes are not secret), `erase` exits 0.
 *   - GDBus keeps ONE session-bus connection per process: the first libsecret call binds the process to the bus in
 *     DBUS_SESSION_BUS_ADDRESS at that moment; changing the variable later has no effect. So use one keyring per
 *     test file (vitest runs each file in its own process), started before the first keytar call.
 *   - Keychain gone: after stop(), every keytar call in that process rejects at once with
 *     "The connection is closed" (no hang), and keeps doing so.
 *   - unlock() sends the password over gnome-keyring's control socket (the protocol pam_gnome_keyring uses),
 *     because the Secret Service Unlock method needs an interactive prompt.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, run, startDaemon, waitUntilReady } from './process';

export interface RunningKeyring {
  /** Environment for libsecret clients (keytar in this process, credential helpers as children). */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** The login keyring's password (test-only). */
  password: string;
  rootDir: string;
  /** Locks the default collection; resolves when it reports Locked. */
  lock(): Promise<void>;
  /**
   * Unlocks the default collection with the keyring password (or `password`, to try a wrong one: rejects with
   * "denied"); resolves when it reports unlocked.
   */
  unlock(password?: string): Promise<void>;
  isLocked(): Promise<boolean>;
  /** Stops gnome-keyring-daemon and the bus, removes the temp dir (stored secrets included). */
  stop(): Promise<void>;
}

const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';

// A session bus with no <servicedir>: nothing gets auto-started (no stray keyring daemon, no GUI prompter).
const busConfig = (
  socketPath: string,
): string => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/** gdbus call on the private bus; returns gdbus's GVariant text output. */
async function gdbusCall(
  busAddress: string,
  destination: string,
  objectPath: string,
  method: string,
  args: string[],
): Promise<string> {
  const { stdout } = await run(
    'gdbus',
    [
      'call',
      '--address',
      busAddress,
      '--dest',
      destination,
      '--object-path',
      objectPath,
      '--method',
      method,
      '--timeout',
      '10',
      ...args,
    ],
    { timeoutMs: 15_000 },
  );
  return stdout.trim();
}

async function collectionLocked(busAddress: string): Promise<boolean> {
  const out = await gdbusCall(
    busAddress,
    'org.freedesktop.secrets',
    DEFAULT_COLLECTION,
    'org.freedesktop.DBus.Properties.Get',
    ['org.freedesktop.Secret.Collection', 'Locked'],
  );
  if (out === '(<true>,)') return true;
  if (out === '(<false>,)') return false;
  throw new Error(`unexpected Locked property: ${out}`);
}

const CONTROL_OP_UNLOCK = 1;
const CONTROL_RESULTS = ['ok', 'denied', 'failed', 'no daemon'];

/**
 * One request on gnome-keyring's control socket (daemon/control/gkd-control-client.c): a credentials byte,
 * then [uint32 length][uint32 op][uint32 len + password], all big-endian; the reply is [uint32 length][uint32 result].
 */
function controlUnlock(socketPath: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const secret = Buffer.from(password, 'utf8');
    const packet = Buffer.alloc(12 + secret.length);
    packet.writeUInt32BE(packet.length, 0);
    packet.writeUInt32BE(CONTROL_OP_UNLOCK, 4);
    packet.writeUInt32BE(secret.length, 8);
    secret.copy(packet, 12);
    const socket = createConnection(socketPath, () => socket.end(Buffer.concat([Buffer.from([0]), packet])));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('gnome-keyring control socket did not answer')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const reply = Buffer.concat(chunks);
      if (reply.length < 8) reject(new Error(`short reply from gnome-keyring control socket (${reply.length} bytes)`));
      else resolve(reply.readUInt32BE(4));
    });
  });
}

export async function startKeyring(options: { password?: string } = {}): Promise<RunningKeyring> {
  const password = options.password ?? randomBytes(12).toString('base64url');
  // Short path: it holds unix sockets (107-byte limit).
  const rootDir = await makeTempDir('bk-', '/tmp');
  const busSocket = join(rootDir, 'bus');
  const busAddress = `unix:path=${busSocket}`;
  const controlDir = join(rootDir, 'ctl');
  const home = join(rootDir, 'home');
  const runtimeDir = join(rootDir, 'run');
  await mkdir(home, { recursive: true });
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  const configFile = join(rootDir, 'bus.conf');
  await writeFile(configFile, busConfig(busSocket));

  const bus = startDaemon(
    'dbus-daemon',
    'dbus-daemon',
    ['--nofork', '--nopidfile', `--config-file=${configFile}`],
    join(rootDir, 'dbus.log'),
  );
  let keyringDaemon: ReturnType<typeof startDaemon> | undefined;
  const stop = async (): Promise<void> => {
    await keyringDaemon?.stop(5_000);
    await bus.stop(5_000);
    await rm(rootDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(bus, async () => {
      await gdbusCall(busAddress, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId', []);
      return true;
    });
    // The daemon keeps its keyrings under XDG_DATA_HOME of the temp HOME; the test process keeps its own HOME.
    const daemonEnv = {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: busAddress,
      HOME: home,
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_RUNTIME_DIR: runtimeDir,
    };
    keyringDaemon = startDaemon(
      'gnome-keyring-daemon',
      'gnome-keyring-daemon',
      ['--foreground', '--unlock', '--components=secrets', `--control-directory=${controlDir}`],
      join(rootDir, 'gnome-keyring.log'),
      { env: daemonEnv, stdin: password },
    );
    await waitUntilReady(keyringDaemon, async () => (await collectionLocked(busAddress)) === false, {
      timeoutMs: 20_000,
      intervalMs: 150,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    env: { DBUS_SESSION_BUS_ADDRESS: busAddress },
    password,
    rootDir,
    async lock() {
      await gdbusCall(
        busAddress,
        'org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        [`['${DEFAULT_COLLECTION}']`],
      );
      if (!(await collectionLocked(busAddress))) throw new Error('the default collection did not lock');
    },
    async unlock(attempt = password) {
      const result = await controlUnlock(join(controlDir, 'control'), attempt);
      if (result !== 0)
        throw new Error(`gnome-keyring refused to unlock: ${CONTROL_RESULTS[result] ?? `result ${result}`}`);
      if (await collectionLocked(busAddress)) throw new Error('the default collection is still locked after unlock');
    },
    isLocked: () => collectionLocked(busAddress),
    stop,
  };
}
