/**
 * `berth login`, `logout` and `registries` as a user runs them (the built CLI in a child process), with the
 * real keychain (gnome-keyring) and the shared world's htpasswd and token registries.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RegistryView } from '../../../src/shared/types/settings';
import { runCli } from '../../env/cli';
import { startKeyring, type RunningKeyring } from '../../env/keyring';

const world = inject('world');
const alice = world.basic.users[0]!;
const tokenAlice = world.token.users.find((user) => user.access === 'push')!;

let keyring: RunningKeyring;
let home: string;

beforeAll(async () => {
  keyring = await startKeyring();
  home = await mkdtemp(join(tmpdir(), 'berth-cli-credentials-'));
});

afterAll(async () => {
  await keyring?.stop();
  await rm(home, { recursive: true, force: true });
});

function env(profile: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, profile),
    DOCKER_CONFIG: join(home, `${profile}-docker`),
    ...keyring.env,
    ...extra,
  };
}

describe('berth login / logout / registries', () => {
  it('refuses a wrong password with exit 1 and stores nothing', async () => {
    const result = await runCli(['login', world.basic.host, '-u', alice.username, '--password-stdin'], {
      env: env('wrong'),
      stdin: 'not-the-password\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `berth: ${world.basic.host} rejected the credentials for ${alice.username}: check the username and password (or token). Nothing was saved.\n`,
    );
    expect(result.stdout).toBe('');
    expect(existsSync(join(home, 'wrong', 'settings.json'))).toBe(false);
    const listed = await runCli(['registries', '--json'], { env: env('wrong') });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('logs in to the htpasswd and token registries, lists where credentials come from, and logs out', async () => {
    const profile = env('main');
    const basic = await runCli(['login', world.basic.host, '-u', alice.username, '--password-stdin'], {
      env: profile,
      stdin: `${alice.password}\n`,
    });
    expect(basic).toMatchObject({ code: 0, stderr: '' });
    expect(basic.stdout).toBe(`Login succeeded: ${alice.username} on ${world.basic.host} (saved in the OS keychain)\n`);
    const token = await runCli(
      ['login', `http://${world.token.host}`, '-u', tokenAlice.username, '--password-stdin', '--insecure'],
      { env: profile, stdin: tokenAlice.password },
    );
    expect(token.code).toBe(0);

    const listed = await runCli(['registries', '--json'], { env: profile });
    expect(listed.code).toBe(0);
    const registries = JSON.parse(listed.stdout) as RegistryView[];
    expect(registries).toEqual([
      {
        id: world.basic.host.replace(':', '-'),
        name: world.basic.host,
        host: world.basic.host,
        kind: 'distribution',
        insecure: false,
        environments: [],
        repositories: [],
        credential: { source: 'keychain', username: alice.username },
      },
      {
        id: world.token.host.replace(':', '-'),
        name: world.token.host,
        host: world.token.host,
        kind: 'distribution',
        insecure: true,
        environments: [],
        repositories: [],
        credential: { source: 'keychain', username: tokenAlice.username },
      },
    ]);
    const table = await runCli(['registries'], { env: profile });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+HOST\s+KIND\s+CREDENTIAL$/);
    expect(table.stdout).toContain(`${world.token.host} (insecure)`);
    expect(table.stdout).toContain(`keychain (${tokenAlice.username})`);

    const tags = await runCli(['tags', `${world.token.host}/dev/app`], { env: profile });
    expect(tags.code).toBe(0);
    expect(tags.stdout.split('\n')).toEqual(expect.arrayContaining(['1.0.0', '1.1.0', 'latest']));

    const logout = await runCli(['logout', world.token.host], { env: profile });
    expect(logout).toMatchObject({ code: 0, stdout: `Removed Berth's credential for ${world.token.host}\n` });
    const again = await runCli(['logout', world.token.host], { env: profile });
    expect(again).toMatchObject({ code: 0, stdout: `Berth had no credential of its own for ${world.token.host}\n` });
    const denied = await runCli(['tags', `${world.token.host}/dev/app`], { env: profile });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^berth: .*requires signing in/);
  });

  it('shows Docker logins, offers to import them, and leaves them in place on logout', async () => {
    const profile = env('docker');
    await mkdir(join(home, 'docker-docker'), { recursive: true });
    const dockerConfig = JSON.stringify({
      auths: { [world.basic.host]: { auth: Buffer.from(`${alice.username}:${alice.password}`).toString('base64') } },
    });
    await writeFile(join(home, 'docker-docker', 'config.json'), dockerConfig);

    const first = await runCli(['registries'], { env: profile });
    expect(first.stdout).toBe(
      `No registries yet. Add one with: berth registries add HOST\nYour Docker config has logins for ${world.basic.host}. Add them with: berth registries import ${world.basic.host}\n`,
    );
    // Signed in from the first start, imported or not.
    expect((await runCli(['tags', `${world.basic.host}/dev/app`], { env: profile })).code).toBe(0);

    const imported = await runCli(['registries', 'import', '--json'], { env: profile });
    expect(JSON.parse(imported.stdout)).toMatchObject([
      { host: world.basic.host, credential: { source: 'docker-config', username: alice.username } },
    ]);
    const logout = await runCli(['logout', world.basic.host], { env: profile });
    expect(logout.stdout).toBe(
      `Berth had no credential of its own for ${world.basic.host}\n${world.basic.host} still has a login in your Docker setup (${join(home, 'docker-docker', 'config.json')}); Berth never changes it: use docker logout ${world.basic.host} to remove it.\n`,
    );
    expect(await readFile(join(home, 'docker-docker', 'config.json'), 'utf8')).toBe(dockerConfig);
  });

  // A CLI process cannot keep a session-only secret: it would be gone when the command exits.
  it('refuses a login without a Secret Service (exit 1), naming what to start, and saves nothing', async () => {
    // A bus address where nothing listens: libsecret cannot reach any Secret Service, as on a headless box.
    const profile = env('nobus', { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}` });
    const result = await runCli(['login', world.basic.host, '-u', alice.username, '--password-stdin'], {
      env: profile,
      stdin: alice.password,
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      'berth: No Secret Service answered on D-Bus (Could not connect: No such file or directory): start GNOME Keyring or KWallet in a desktop session (e.g. gnome-keyring-daemon --start --components=secrets). Without the OS keychain berth login cannot keep a credential; nothing was saved.\n',
    );
    expect(existsSync(join(home, 'nobus', 'settings.json'))).toBe(false);
  });

  it('refuses a login when the keychain binding cannot load (exit 1), naming the fix, though the keychain runs', async () => {
    // Node's --no-addons makes keytar's real .node binding fail to load exactly as a mis-built one does.
    const profile = env('noaddons', { NODE_OPTIONS: '--no-addons' });
    const result = await runCli(['login', world.basic.host, '-u', alice.username, '--password-stdin'], {
      env: profile,
      stdin: alice.password,
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      'berth: The OS keychain binding (keytar) could not be loaded (Cannot load native addon because loading addons is disabled.): install libsecret (Debian/Ubuntu: apt-get install libsecret-1-dev; Fedora: libsecret-devel), then run `npm rebuild keytar` in the Berth folder. Without the OS keychain berth login cannot keep a credential; nothing was saved.\n',
    );
    expect(existsSync(join(home, 'noaddons', 'settings.json'))).toBe(false);
    // Everything else works without the keychain.
    expect(await runCli(['registries', '--json'], { env: profile })).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it('gives usage errors (exit 2) for a login without a password source or user', async () => {
    const noStdin = await runCli(['login', world.basic.host, '-u', alice.username], { env: env('usage') });
    expect(noStdin.code).toBe(2);
    expect(noStdin.stderr).toContain('give the password on stdin with --password-stdin');
    const noUser = await runCli(['login', world.basic.host, '--password-stdin'], { env: env('usage'), stdin: 'x' });
    expect(noUser.code).toBe(2);
    const empty = await runCli(['login', world.basic.host, '-u', 'alice', '--password-stdin'], {
      env: env('usage'),
      stdin: '\n',
    });
    expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining('the password is empty') });
  });
});
