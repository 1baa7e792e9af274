#!/usr/bin/env node
/**
 * Makes sure the system tools the test suite drives are installed (all from Debian packages; see
 * shared TESTWORLD.md). On Debian/Ubuntu as root it installs what is missing with apt-get (one update, then
 * one install, non-interactive); anywhere else it prints exactly what is missing and fails.
 * Then it makes sure keytar (the OS keychain binding) loads, reinstalling the locked version when it does
 * not: on a fresh machine `npm install` ran before libsecret was there, so npm dropped it (optional).
 *
 *   node test/env/provision.mjs            check + install the test suite's tools
 *   node test/env/provision.mjs --bench    also the benchmark tools (hyperfine, pigz)
 *   node test/env/provision.mjs --check    only check, never install
 *
 * As a module: `await provision({ bench, install })` -> { missing, installed, keytar }.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What the suite needs: a command on PATH (or sbin), or a file, and the Debian package that provides it. */
export const REQUIREMENTS = [
  { command: 'docker-registry', package: 'docker-registry', why: 'CNCF distribution registry 2.8.2 (test registries)' },
  { command: 'dockerd', package: 'docker.io', why: 'Docker Engine for pull/push/retag tests' },
  { command: 'skopeo', package: 'skopeo', why: 'reference copy/inspect tool (ground truth)' },
  { command: 'chromium', package: 'chromium', why: 'browser for end-to-end tests' },
  { command: 'gnome-keyring-daemon', package: 'gnome-keyring', why: 'Secret Service for keytar' },
  { command: 'dbus-daemon', package: 'dbus-daemon', why: 'private session bus for the keyring' },
  { command: 'dbus-launch', package: 'dbus-x11', why: 'session bus tooling (TESTWORLD recipe)' },
  { command: 'gdbus', package: 'libglib2.0-bin', why: 'locks the keyring and reads its state' },
  {
    file: '/usr/include/libsecret-1/libsecret/secret.h',
    package: 'libsecret-1-dev',
    why: 'keytar builds against libsecret',
  },
  {
    command: 'docker-credential-secretservice',
    package: 'golang-docker-credential-helpers',
    why: 'Docker credential helper protocol',
  },
  { command: 'htpasswd', package: 'apache2-utils', why: 'htpasswd file for the basic-auth registry' },
  { command: 'zstd', package: 'zstd', why: 'zstd layers in the seed' },
  { command: 'openssl', package: 'openssl', why: 'token server CA and signing certificate' },
  { command: 'debootstrap', package: 'debootstrap', why: 'Debian root filesystem for the package inventory tests' },
  { command: 'rpm', package: 'rpm', why: "rpm's own version order (rpm.vercmp) for the rpm version tests" },
  {
    file: '/usr/lib/python3/dist-packages/packaging/version.py',
    package: 'python3-packaging',
    why: 'PEP 440 version order for the Python version tests',
  },
];

export const BENCH_REQUIREMENTS = [
  { command: 'hyperfine', package: 'hyperfine', why: 'benchmark runner' },
  { command: 'pigz', package: 'pigz', why: 'parallel gzip baseline in benchmarks' },
];

const SEARCH_PATH = [
  ...new Set([
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]),
].filter(Boolean);

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isPresent(requirement) {
  if (requirement.file) return existsSync(requirement.file);
  return SEARCH_PATH.some((dir) => isExecutable(join(dir, requirement.command)));
}

export function findMissing({ bench = false } = {}) {
  return [...REQUIREMENTS, ...(bench ? BENCH_REQUIREMENTS : [])].filter((requirement) => !isPresent(requirement));
}

function canUseApt() {
  return (
    process.platform === 'linux' &&
    existsSync('/etc/debian_version') &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    isPresent({ command: 'apt-get' })
  );
}

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 20 * 60_000,
  });
  if (result.status !== 0)
    throw new Error(`apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

function describe(requirements) {
  return requirements
    .map((item) => `  ${(item.command ?? item.file).padEnd(34)} package ${item.package.padEnd(34)} ${item.why}`)
    .join('\n');
}

/**
 * Checks, and installs what is missing when `install` allows and this is Debian/Ubuntu as root; then the
 * keychain binding (ensureKeytar). Throws with the list of what is still missing.
 */
export async function provision({
  bench = false,
  install = true,
  log = (line) => console.error(line),
  project = PROJECT,
} = {}) {
  const missing = findMissing({ bench });
  const packages = [...new Set(missing.map((item) => item.package))];
  if (missing.length > 0) {
    if (!install || !canUseApt()) {
      const how = canUseApt() ? '' : ' (automatic install needs Debian/Ubuntu and root)';
      throw new Error(
        `missing system tools${how}:\n${describe(missing)}\ninstall with: apt-get install -y ${packages.join(' ')}`,
      );
    }
    log(`[provision] installing: ${packages.join(' ')}`);
    apt(['update']);
    apt(['install', '-y', ...packages]);
    const stillMissing = findMissing({ bench });
    if (stillMissing.length > 0) throw new Error(`still missing after apt-get install:\n${describe(stillMissing)}`);
  }
  const keytar = ensureKeytar({ install, log, project });
  return { missing, installed: packages, keytar };
}

/** True when keytar and its native binding load in `project` (the keychain itself is not touched). */
export function keytarLoads(project = PROJECT) {
  return (
    spawnSync(process.execPath, ['-e', "require('keytar')"], { cwd: project, stdio: 'ignore', timeout: 60_000 })
      .status === 0
  );
}

/**
 * Makes keytar load for the keychain tests: 'loads' when it already does, 'reinstalled' after reinstalling
 * exactly the locked version. npm removed the optional dependency whose build failed, so `npm rebuild`
 * finds nothing; `npm install --no-save keytar@VERSION` adds it back without rewriting package.json or the
 * lock and without the root `prepare` build that a plain `npm install` would run again.
 */
export function ensureKeytar({ install = true, log = (line) => console.error(line), project = PROJECT } = {}) {
  if (keytarLoads(project)) return 'loads';
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.['node_modules/keytar']?.version;
  if (!version) throw new Error('package-lock.json locks no keytar version');
  const command = `npm install --no-save --no-audit --no-fund keytar@${version}`;
  if (!install)
    throw new Error(`keytar (the OS keychain binding) does not load; with libsecret-1-dev installed, run: ${command}`);
  log(`[provision] keytar does not load: ${command}`);
  // npm_config_local_prefix: run from another project's npm script, npm would install into that project.
  const env = { ...process.env, npm_config_local_prefix: project };
  const result = spawnSync('npm', command.split(' ').slice(1), {
    cwd: project,
    env,
    stdio: 'inherit',
    timeout: 10 * 60_000,
    shell: process.platform === 'win32',
  });
  if (result.status !== 0 || !keytarLoads(project))
    throw new Error(
      `keytar still does not load after ${command} (${result.error?.message ?? `exit ${result.status}`})`,
    );
  return 'reinstalled';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  const unknown = [...args].filter((arg) => !['--bench', '--check'].includes(arg));
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\nusage: node test/env/provision.mjs [--bench] [--check]`);
    process.exit(2);
  }
  provision({ bench: args.has('--bench'), install: !args.has('--check') }).then(
    ({ installed, keytar }) => {
      console.error(
        installed.length > 0 ? `[provision] installed ${installed.join(' ')}` : '[provision] all system tools present',
      );
      if (keytar === 'reinstalled') console.error('[provision] keytar reinstalled: it loads');
    },
    (error) => {
      console.error(`[provision] ${error.message}`);
      process.exit(1);
    },
  );
}
