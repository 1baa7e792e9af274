/**
 * CLI start-up loads only what a command needs (issue 19): `--version` and `--help` answer from the small
 * entry of the bundle, without the services chunk, the keychain binding (keytar), the registry index
 * (classic-level) or the settings store (conf, ajv). A command that does reach the services loads that chunk,
 * which shows the recorder sees it. Speed itself is a bench row (test/bench/startup.ts), not asserted here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from '../../env/cli';

const root = join(import.meta.dirname, '..', '..', '..');
const outDir = join(root, 'out', 'cli');
const HEAVY = /node_modules\/(keytar|classic-level|conf|ajv|undici|zod)\//;
let temp: string;
let servicesChunks: string[];

beforeAll(async () => {
  ensureCliBuilt();
  temp = await mkdtemp(join(tmpdir(), 'berth-startup-'));
  // The chunk holding the services, among those the entry reaches (static or dynamic imports): their names
  // are content hashes, and chunks of earlier builds stay beside them for a while.
  const reached = new Set(['berth.mjs']);
  servicesChunks = [];
  for (const name of reached) {
    const text = await readFile(join(outDir, name), 'utf8');
    if (text.includes('function createServices(')) servicesChunks.push(name);
    for (const match of text.matchAll(/["'](?:\.\/)(chunk-[A-Z0-9]+\.mjs)["']/g)) reached.add(match[1]!);
  }
});

afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Runs `berth ARGS` with the load recorder and returns its exit code and the modules it loaded. */
async function loadsOf(args: string[], name: string): Promise<{ status: number | null; loaded: string[] }> {
  const log = join(temp, `${name}.log`);
  const result = spawnSync(
    process.execPath,
    ['--import', join(import.meta.dirname, 'record-loads.mjs'), join(root, 'bin', 'berth.mjs'), ...args],
    {
      env: {
        ...process.env,
        BERTH_TEST_LOAD_LOG: log,
        BERTH_CONFIG_DIR: join(temp, 'config'),
        BERTH_CACHE_DIR: join(temp, 'cache'),
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, loaded: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

describe('CLI start-up', () => {
  it('the services live in a chunk of their own, not in the entry', () => {
    expect(servicesChunks.length).toBe(1);
    expect(servicesChunks[0]).not.toBe('berth.mjs');
  });

  it.each([['--version'], ['--help'], ['tags', '--help']])(
    'berth %s loads neither the services nor a native binding',
    async (...args) => {
      const { status, loaded } = await loadsOf(args, args.join('_'));
      expect(status).toBe(0);
      expect(loaded.some((entry) => entry.endsWith('/out/cli/berth.mjs'))).toBe(true);
      expect(loaded.filter((entry) => servicesChunks.some((chunk) => entry.endsWith(`/${chunk}`)))).toEqual([]);
      expect(loaded.filter((entry) => HEAVY.test(entry))).toEqual([]);
    },
  );

  it('a command that calls the services loads their chunk (the recorder sees it)', async () => {
    // A closed port: the command fails fast, after the services were created.
    const { status, loaded } = await loadsOf(['tags', '127.0.0.1:9/none'], 'tags');
    expect(status).toBe(1);
    expect(loaded.filter((entry) => entry.endsWith(`/out/cli/${servicesChunks[0]}`)).length).toBeGreaterThan(0);
  });
});
