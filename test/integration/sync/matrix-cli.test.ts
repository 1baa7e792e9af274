/**
 * `berth matrix` as users run it (node bin/berth.mjs) on the world's three registries: the JSON shape the
 * issue names, the table with --drift-only, a place that cannot be reached (named, exit 1), and usage errors
 * (exit 2).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { makeTempDir } from '../../env/process';
import { uniqueName, writeDockerConfig } from '../promotion/harness';
import { placeOf, seedDrift, type TinyImage } from './drift-world';

const world = inject('world');
const { anonymous, basic, token } = world;
const ns = uniqueName('scratch-matrix-cli');
let dir: string;
let env: NodeJS.ProcessEnv;
let v1: TinyImage;
let v2: TinyImage;

beforeAll(async () => {
  dir = await makeTempDir('berth-matrix-cli-');
  // A login for the basic registry; none for the token registry, whose column is then not visible.
  env = {
    HOME: dir,
    BERTH_CONFIG_DIR: join(dir, 'config'),
    BERTH_CACHE_DIR: join(dir, 'cache'),
    DOCKER_CONFIG: await writeDockerConfig(dir, [basic]),
  };
  ({ v1, v2 } = await seedDrift(world, ns));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const places = [anonymous, basic, token].flatMap((registry) => ['--in', `${registry.host}/${placeOf(ns, registry)}`]);
const berth = (...args: string[]) => runCli(['matrix', ...args], { env });

describe('berth matrix', () => {
  it('--json prints columns and rows of cells with digest and state', async () => {
    const run = await berth('*', ...places, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      columns: { name: string }[];
      rows: { repository: string; tag: string; cells: { digest: string | null; state: string }[] }[];
    };
    expect(out.columns.map((column) => column.name)).toEqual(
      [anonymous, basic, token].map((registry) => `${registry.host}/${placeOf(ns, registry)}`),
    );
    const hidden = { digest: null, state: 'not_visible' };
    expect(out.rows.map(({ repository, tag, cells }) => ({ repository, tag, cells }))).toEqual([
      {
        repository: 'app',
        tag: 'drift',
        cells: [{ digest: v1.digest, state: 'same' }, { digest: v2.digest, state: 'different' }, hidden],
      },
      {
        repository: 'app',
        tag: 'gone',
        cells: [{ digest: v1.digest, state: 'same' }, { digest: null, state: 'missing' }, hidden],
      },
      {
        repository: 'app',
        tag: 'same',
        cells: [{ digest: v1.digest, state: 'same' }, { digest: v1.digest, state: 'same' }, hidden],
      },
      {
        repository: 'lib',
        tag: '1.0',
        cells: [{ digest: v2.digest, state: 'same' }, { digest: null, state: 'missing' }, hidden],
      },
    ]);
    expect(Object.keys(out.rows[0]!).slice(0, 3)).toEqual(['repository', 'tag', 'cells']);
  });

  it('--drift-only prints the table of drifted tags only, with short digests', async () => {
    const run = await berth('app', ...places.slice(0, 4), '--drift-only');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^REPOSITORY:TAG +${anonymous.host}/${placeOf(ns, anonymous)} +${basic.host}/`),
    );
    const short = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 12);
    expect(lines.slice(1, -1)).toEqual([
      expect.stringMatching(
        new RegExp(`^app:drift +${short(v1.digest)} \\(reference\\) +${short(v2.digest)} DIFFERENT$`),
      ),
      expect.stringMatching(new RegExp(`^app:gone +${short(v1.digest)} \\(reference\\) +MISSING$`)),
    ]);
    expect(lines.at(-1)).toBe('2 of 2 tags drift.');
  });

  it('names a place that cannot be reached and exits 1; its cells are unknown', async () => {
    const run = await berth('app', ...places.slice(0, 2), '--in', '127.0.0.1:1/nowhere', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^berth: 127\.0\.0\.1:1\/nowhere: .+/m);
    const out = JSON.parse(run.stdout) as { rows: { cells: { state: string }[] }[] };
    expect(out.rows.map((row) => row.cells.map((cell) => cell.state))).toEqual([
      ['same', 'unknown'],
      ['same', 'unknown'],
      ['same', 'unknown'],
    ]);
  });

  it('refuses usage errors with exit 2 and a bad pattern with exit 1', async () => {
    const one = await berth('app', '--in', anonymous.host);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('at least two places');
    const both = await berth('app', ...places.slice(0, 4), '--lane', 'dev');
    expect(both.code).toBe(2);
    const reference = await berth('app', ...places.slice(0, 4), '--reference', '0');
    expect(reference.code).toBe(2);
    const pattern = await berth('app[', ...places.slice(0, 4));
    expect(pattern.code).toBe(1);
    expect(pattern.stderr).toContain('is not a valid glob');
  });
});
