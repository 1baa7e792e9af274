/**
 * `berth stale --scope HOST/many` on the seeded registry's 2,000-tag repository, against the bare script
 * (manifest-fetch.mjs, 8 requests in flight, no cache), which is what any tool without an index pays to see
 * every tag's manifest each time (and lineage needs each config's diff IDs on top):
 * - cold (empty cache: lists, GETs each new manifest and config, records the tag history) vs bare GET;
 * - warm (the registry index: a HEAD per tag finds moved tags) vs bare HEAD of every tag.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SEED } from '../env/seed';
import { row, type BenchContext, type BenchRow } from './types';

const execFileAsync = promisify(execFile);
const RUNS = 3;
const reference = join(dirname(fileURLToPath(import.meta.url)), 'manifest-fetch.mjs');

async function timed(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await execFileAsync(command, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchLineage(ctx: BenchContext): Promise<BenchRow[]> {
  const scope = `${ctx.registry.host}/${SEED.manyTags.repository.split('/')[0]}`;
  const cacheDir = join(ctx.tmpDir, 'lineage-cache');
  const env = { ...ctx.env, BERTH_CACHE_DIR: cacheDir };
  const stale = () => timed(ctx.berth.command, [...ctx.berth.args, 'stale', '--scope', scope, '--json'], env);
  const cold: number[] = [];
  const warm: number[] = [];
  const fetched: number[] = [];
  const headed: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await rm(cacheDir, { recursive: true, force: true });
    cold.push(await stale());
    warm.push(await stale());
    fetched.push(await timed(process.execPath, [reference, ctx.registry.url]));
    headed.push(await timed(process.execPath, [reference, ctx.registry.url, '--head']));
  }
  ctx.log(
    `lineage: cold ${cold.map(Math.round).join(' ')} ms; warm ${warm.map(Math.round).join(' ')} ms; ` +
      `bare GET ${fetched.map(Math.round).join(' ')} ms; bare HEAD ${headed.map(Math.round).join(' ')} ms`,
  );
  const name = `berth stale --scope ${SEED.manyTags.repository.split('/')[0]}`;
  return [
    row(`${name} cold vs bare GET of every manifest`, median(cold), median(fetched), 'berth also reads each config'),
    row(`${name} warm vs bare HEAD of every tag`, median(warm), median(headed), 'the registry index, revalidated'),
  ];
}
