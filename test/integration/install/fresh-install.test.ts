/**
 * A fresh machine (issue 13): `npm install` in a new clone where libsecret is hidden from native builds
 * (PKG_CONFIG_LIBDIR -> an empty folder, as in shared TESTWORLD.md) drops keytar and still succeeds; the CLI
 * and `berth serve` work without it and name the fix; `npm run dist` refuses to pack; then the suite's
 * provisioning (test/env/provision.mjs) brings the locked keytar back without touching any tracked file.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { run } from '../../env/process';
import { connectApi, startBerthServe } from '../../env/serve';

const root = join(import.meta.dirname, '..', '..', '..');
const world = inject('world');

let temp: string;
let clone: string;
/** Why `npm install` failed, if it did. */
let installFailure: string | undefined;

/**
 * The environment of `npm install` in the clone: without the npm_* variables of the `npm test` that runs
 * this file (npm_config_local_prefix would point npm back at this work tree).
 */
function cloneEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'),
  );
  return { ...env, ...extra };
}

/**
 * A clone of this repository's HEAD, which is all CI has (it runs on a fresh clone). In a work tree with
 * uncommitted changes, those go in too (tracked edits, new files that are not ignored), committed in the
 * clone, so the test checks what is about to be committed and `git status` there starts clean.
 */
async function cloneWorkTree(target: string): Promise<void> {
  await run('git', ['clone', '--quiet', root, target], { timeoutMs: 60_000 });
  const diff = (await run('git', ['diff', '--binary', 'HEAD'], { cwd: root })).stdoutBuffer;
  if (diff.length > 0) await run('git', ['apply', '--whitespace=nowarn'], { cwd: target, input: diff });
  const untracked = (await run('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: root })).stdout
    .split('\0')
    .filter(Boolean);
  for (const file of untracked) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await cp(join(root, file), join(target, file));
  }
  if (diff.length === 0 && untracked.length === 0) return;
  await run('git', ['add', '-A'], { cwd: target });
  await run(
    'git',
    [
      '-c',
      'user.name=Berth test',
      '-c',
      'user.email=test@127.0.0.1',
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      'uncommitted changes of the work tree',
    ],
    { cwd: target },
  );
}

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'berth-fresh-'));
  clone = join(temp, 'berth');
  await cloneWorkTree(clone);
  const noPkgConfig = join(temp, 'no-pkg-config');
  await mkdir(noPkgConfig);
  installFailure = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: clone,
    env: cloneEnv({ PKG_CONFIG_LIBDIR: noPkgConfig }),
    timeoutMs: 150_000,
  }).then(
    () => undefined,
    (error: Error) => error.message,
  );
}, 200_000);

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

const cli = () => join(clone, 'bin', 'berth.mjs');
const distCheck = () => join(clone, 'scripts', 'check-keychain-binding.mjs');
const BINDING_MISSING =
  'The OS keychain binding (keytar) is not installed: install libsecret (Debian/Ubuntu: apt-get install libsecret-1-dev; Fedora: libsecret-devel), then run `npm install` in the Berth folder.';

describe('a fresh clone where keytar cannot be built', () => {
  it('installs (exit 0) without keytar, which proves libsecret was hidden', () => {
    expect(installFailure).toBeUndefined();
    expect(existsSync(join(clone, 'node_modules', 'keytar'))).toBe(false);
    expect(existsSync(join(clone, 'out', 'cli', 'berth.mjs'))).toBe(true);
  });

  it('runs the CLI, and berth login names the fix (exit 1)', async () => {
    const env = { BERTH_CONFIG_DIR: join(temp, 'config-cli'), DOCKER_CONFIG: join(temp, 'docker') };
    const version = await runCli(['--version'], { script: cli(), env });
    expect(version).toEqual({
      code: 0,
      stdout: `${JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')).version}\n`,
      stderr: '',
    });
    expect(await runCli(['registries', '--json'], { script: cli(), env })).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: '',
    });
    const user = world.basic.users[0]!;
    const login = await runCli(['login', world.basic.host, '-u', user.username, '--password-stdin'], {
      script: cli(),
      env,
      stdin: user.password,
    });
    expect(login).toEqual({
      code: 1,
      stdout: '',
      stderr: `berth: ${BINDING_MISSING} Without the OS keychain berth login cannot keep a credential; nothing was saved.\n`,
    });
  });

  it('serves the UI with berth serve; the API says the keychain is session-only and why', async () => {
    const serve = await startBerthServe({ DOCKER_CONFIG: join(temp, 'docker') }, { cli: cli() });
    try {
      const page = await fetch(`${serve.origin}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const api = await connectApi(serve);
      try {
        const info = await api.call('app.info', {});
        expect(info.ok && info.value.keychain).toEqual({ kind: 'session', reason: BINDING_MISSING });
      } finally {
        api.close();
      }
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('refuses `npm run dist` before building an installer without the keychain binding', async () => {
    const check = await runCli([], { script: distCheck() });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      'berth dist: the OS keychain binding (keytar) is not installed, so the installer would keep credentials for this session only.',
    );
  });

  // Last: it changes the clone. This machine has libsecret (npm test's provisioning installed it).
  it('provisioning reinstalls the locked keytar, which then loads, leaving every tracked file as it was', async () => {
    const provision = await runCli([], { script: join(clone, 'test', 'env', 'provision.mjs'), timeoutMs: 300_000 });
    expect(provision.code, provision.stderr).toBe(0);
    expect(provision.stderr).toContain('[provision] keytar reinstalled: it loads');
    const lock = JSON.parse(await readFile(join(clone, 'package-lock.json'), 'utf8'));
    const installed = JSON.parse(await readFile(join(clone, 'node_modules', 'keytar', 'package.json'), 'utf8'));
    expect(installed.version).toBe(lock.packages['node_modules/keytar'].version);
    await run(process.execPath, ['-e', "require('keytar')"], { cwd: clone });
    expect((await run('git', ['status', '--porcelain'], { cwd: clone })).stdout).toBe('');
    expect(await runCli([], { script: distCheck() })).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
