import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyring, type RunningKeyring } from '../../env/keyring';
import { run } from '../../env/process';

const require = createRequire(import.meta.url);

let keyring: RunningKeyring;
/** The part of keytar these tests use, typed here so a type check needs no keytar installed (it is optional). */
interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
}
let keytar: KeytarModule;
const service = `berth-test-${process.pid}`;

/** Runs the real credential helper against the private keyring. */
function helper(
  command: 'store' | 'get' | 'list' | 'erase',
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker-credential-secretservice', [command], {
      env: { ...process.env, ...keyring.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  keyring = await startKeyring();
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  // keytar is required after DBUS_SESSION_BUS_ADDRESS points at the private bus.
  keytar = require('keytar') as KeytarModule;
});

afterAll(async () => {
  await keyring?.stop();
});

describe('private keyring', () => {
  it('stores and reads secrets through keytar', async () => {
    await keytar.setPassword(service, 'alice@127.0.0.1:5000', 's3cret');
    expect(await keytar.getPassword(service, 'alice@127.0.0.1:5000')).toBe('s3cret');
    expect(await keytar.findCredentials(service)).toEqual([{ account: 'alice@127.0.0.1:5000', password: 's3cret' }]);
    expect(await keytar.deletePassword(service, 'alice@127.0.0.1:5000')).toBe(true);
    expect(await keytar.getPassword(service, 'alice@127.0.0.1:5000')).toBeNull();
  });

  it('round-trips credentials through docker-credential-secretservice', async () => {
    const serverURL = `127.0.0.1:${40000 + (process.pid % 1000)}`;
    const stored = await helper(
      'store',
      JSON.stringify({ ServerURL: serverURL, Username: 'alice', Secret: 'helper-pass' }),
    );
    expect(stored.code, stored.stderr).toBe(0);
    const got = await helper('get', serverURL);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ ServerURL: serverURL, Username: 'alice', Secret: 'helper-pass' });
    const listed = await helper('list', '');
    expect(JSON.parse(listed.stdout)).toMatchObject({ [serverURL]: 'alice' });
    expect((await helper('erase', serverURL)).code).toBe(0);
    const missing = await helper('get', serverURL);
    expect(missing.code).toBe(1);
    expect(missing.stdout.trim()).toBe('credentials not found in native keychain');
  });

  it('locks and unlocks the default collection, with the behaviour libsecret clients see', async () => {
    await keytar.setPassword(service, 'bob', 'before-lock');
    await keyring.lock();
    expect(await keyring.isLocked()).toBe(true);
    // A locked collection reads as "no entry" and refuses writes.
    expect(await keytar.getPassword(service, 'bob')).toBeNull();
    await expect(keytar.setPassword(service, 'carol', 'x')).rejects.toThrow(/locked collection/);
    await keyring.unlock();
    expect(await keyring.isLocked()).toBe(false);
    expect(await keytar.getPassword(service, 'bob')).toBe('before-lock');
    await keytar.deletePassword(service, 'bob');
  });

  it('credential helper on a locked keychain fails without hanging', async () => {
    const serverURL = '127.0.0.1:1';
    expect((await helper('store', JSON.stringify({ ServerURL: serverURL, Username: 'u', Secret: 'p' }))).code).toBe(0);
    await keyring.lock();
    try {
      const got = await helper('get', serverURL);
      expect(got.code).not.toBe(0);
      expect(got.code).not.toBeNull();
    } finally {
      await keyring.unlock();
    }
    expect(JSON.parse((await helper('get', serverURL)).stdout).Secret).toBe('p');
  });

  it('keytar.findCredentials crashes its process on a locked keychain (why products must check Locked first)', async () => {
    await keytar.setPassword(service, 'dave', 'x');
    await keyring.lock();
    try {
      const script = `require(${JSON.stringify(require.resolve('keytar'))}).findCredentials(${JSON.stringify(service)}).then(() => process.exit(0), () => process.exit(3))`;
      const outcome = await run(process.execPath, ['-e', script], {
        env: { ...process.env, ...keyring.env },
        timeoutMs: 30_000,
      }).then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(/SIGSEGV|code 139|signal SIGSEGV/);
    } finally {
      await keyring.unlock();
    }
  });

  it('refuses a wrong unlock password and stays locked', async () => {
    const other = await startKeyring({ password: 'right-password' });
    try {
      await other.lock();
      await expect(other.unlock('wrong-password')).rejects.toThrow(/refused to unlock: denied/);
      expect(await other.isLocked()).toBe(true);
      await other.unlock();
      expect(await other.isLocked()).toBe(false);
    } finally {
      await other.stop();
    }
  });

  // Last: it ends this process's keyring (GDBus keeps one bus connection per process).
  it('a stopped keyring makes keytar reject at once instead of hanging', async () => {
    await keyring.stop();
    await expect(keytar.getPassword(service, 'anyone')).rejects.toThrow('The connection is closed');
    await expect(keytar.setPassword(service, 'anyone', 'x')).rejects.toThrow('The connection is closed');
  });
});
