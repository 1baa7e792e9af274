/**
 * `npm run bench`: Berth and the reference tools (skopeo, tar, gzip) side by side in one run, on real
 * registries on loopback. Prints one table of times and ratios (berth / reference; below 1 is faster).
 * Nothing here asserts speed: the machines are noisy; the figures are for the issues' closing notes.
 * Run one part: `npm run bench -- registry layers promotion ui` (add --no-build to measure out/ as built).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../env/registry';
import { startSeededRegistry } from '../env/seed-cache';
import { benchColdSort } from './cold-sort';
import { benchLayers } from './layers';
import { benchLineage } from './lineage';
import { benchPackages } from './packages';
import { benchPromotion } from './promotion';
import { benchRegistry } from './registry';
import { benchScale } from './scale';
import { benchStartup } from './startup';
import { benchStorage } from './storage';
import { benchSync } from './sync';
import type { BenchContext, BenchRow } from './types';
import { benchUi } from './ui';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const parts: Record<string, (ctx: BenchContext) => Promise<BenchRow[]>> = {
  registry: benchRegistry,
  layers: benchLayers,
  promotion: benchPromotion,
  ui: benchUi,
  storage: benchStorage,
  lineage: benchLineage,
  packages: benchPackages,
  sync: benchSync,
  startup: benchStartup,
  coldsort: benchColdSort,
  scale: benchScale,
};

function format(rows: BenchRow[]): string {
  const header = ['benchmark', 'berth ms', 'reference ms', 'ratio', 'note'];
  const lines = rows.map((r) => [
    r.name,
    r.berthMs.toFixed(1),
    r.referenceMs.toFixed(1),
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '-',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  // --no-build: measure what out/ holds (built under the shared build lock beforehand).
  const noBuild = process.argv.includes('--no-build');
  const wanted = process.argv.slice(2).filter((a) => a !== '--' && a !== '--no-build');
  const unknown = wanted.filter((w) => !(w in parts));
  if (unknown.length)
    throw new Error(`unknown bench part(s): ${unknown.join(', ')}; choose from ${Object.keys(parts).join(', ')}`);
  const selected = wanted.length ? wanted : Object.keys(parts);

  const provision = spawnSync(process.execPath, [join(root, 'test/env/provision.mjs'), '--bench'], {
    stdio: 'inherit',
  });
  if (provision.status !== 0) throw new Error('bench tools missing (see above)');
  const build = noBuild ? { status: 0 } : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const tmpDir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  log('starting a seeded registry and an empty one');
  const { registry } = await startSeededRegistry();
  const registryB = await startRegistry({ mode: 'anonymous' });
  const ctx: BenchContext = {
    registry,
    registryB,
    tmpDir,
    berth: { command: process.execPath, args: [join(root, 'bin', 'berth.mjs')] },
    env: { ...process.env, BERTH_CONFIG_DIR: join(tmpDir, 'config'), BERTH_CACHE_DIR: join(tmpDir, 'cache') },
    log,
  };
  const rows: BenchRow[] = [];
  try {
    for (const name of selected) {
      log(`${name}...`);
      rows.push(...(await parts[name]!(ctx)));
    }
  } finally {
    await registry.dispose();
    await registryB.dispose();
    await rm(tmpDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${format(rows)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.exit(1);
});
