#!/usr/bin/env node
/**
 * Makes sure the system tools the test suite drives are installed (all from Debian packages; see
 * shared TESTWORLD.md). On Debian/Ubuntu as root it installs what is missing with apt-get (one update, then
 * one install, non-interactive); anywhere else it prints exactly what is missing and fails.
 *
 *   node test/env/provision.mjs            check + install the test suite's tools
 *   node test/env/provision.mjs --bench    also the benchmark tools (hyperfine, pigz)
 *   node test/env/provision.mjs --check    only check, never install
 *
 * As a module: `await provision({ bench, install })` -> { missing, installed }.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  { file: '/usr/include/libsecret-1/libsecret/secret.h', package: 'libsecret-1-dev', why: 'keytar builds against libsecret' },
  { command: 'docker-credential-secretservice', package: 'golang-docker-credential-helpers', why: 'Docker credential helper protocol' },
  { command: 'htpasswd', package: 'apache2-utils', why: 'htpasswd file for the basic-auth registry' },
  { command: 'zstd', package: 'zstd', why: 'zstd layers in the seed' },
  { command: 'openssl', package: 'openssl', why: 'token server CA and signing certificate' },
];

export const BENCH_REQUIREMENTS = [
  { command: 'hyperfine', package: 'hyperfine', why: 'benchmark runner' },
  { command: 'pigz', package: 'pigz', why: 'parallel gzip baseline in benchmarks' },
];

const SEARCH_PATH = [...new Set([...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])].filter(Boolean);

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
  return process.platform === 'linux' && existsSync('/etc/debian_version') && typeof process.getuid === 'function' && process.getuid() === 0 && isPresent({ command: 'apt-get' });
}

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 20 * 60_000,
  });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

function describe(requirements) {
  return requirements.map((item) => `  ${(item.command ?? item.file).padEnd(34)} package ${item.package.padEnd(34)} ${item.why}`).join('\n');
}

/**
 * Checks, and installs what is missing when `install` allows and this is Debian/Ubuntu as root.
 * Throws with the list of what is still missing.
 */
export async function provision({ bench = false, install = true, log = (line) => console.error(line) } = {}) {
  const missing = findMissing({ bench });
  if (missing.length === 0) return { missing: [], installed: [] };
  const packages = [...new Set(missing.map((item) => item.package))];
  if (!install || !canUseApt()) {
    const how = canUseApt() ? '' : ' (automatic install needs Debian/Ubuntu and root)';
    throw new Error(`missing system tools${how}:\n${describe(missing)}\ninstall with: apt-get install -y ${packages.join(' ')}`);
  }
  log(`[provision] installing: ${packages.join(' ')}`);
  apt(['update']);
  apt(['install', '-y', ...packages]);
  const stillMissing = findMissing({ bench });
  if (stillMissing.length > 0) throw new Error(`still missing after apt-get install:\n${describe(stillMissing)}`);
  return { missing, installed: packages };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  const unknown = [...args].filter((arg) => !['--bench', '--check'].includes(arg));
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\nusage: node test/env/provision.mjs [--bench] [--check]`);
    process.exit(2);
  }
  provision({ bench: args.has('--bench'), install: !args.has('--check') }).then(
    ({ installed }) => {
      console.error(installed.length > 0 ? `[provision] installed ${installed.join(' ')}` : '[provision] all system tools present');
    },
    (error) => {
      console.error(`[provision] ${error.message}`);
      process.exit(1);
    },
  );
}
