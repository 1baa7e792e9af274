/**
 * `berth usage` on the seeded registry with its 2,000-tag repository (`HOST/many`: unique bytes are
 * registry-wide, so the whole registry is read), against a bare script with 8 requests in flight and no
 * cache (manifest-fetch.mjs):
 * - cold (empty cache) vs the script GETting every manifest, what any tool without an index pays every time
 *   (the two must agree on the bytes, or the bench fails);
 * - warm (the registry index, a HEAD per tag to see moved tags) vs the script HEADing every tag: the floor
 *   of a revalidation;
 * - --cached (the index alone) vs the script GETting every manifest.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageUsage } from '../../src/shared/types/storage';
import { SEED } from '../env/seed';
import { median, timed } from './registry';
import { row, type BenchContext, type BenchRow } from './types';

const RUNS = 3;
const reference = join(dirname(fileURLToPath(import.meta.url)), 'manifest-fetch.mjs');

export async function benchStorage(ctx: BenchContext): Promise<BenchRow[]> {
  const target = `${ctx.registry.host}/${SEED.manyTags.repository.split('/')[0]}`;
  const cacheDir = join(ctx.tmpDir, 'usage-cache');
  const env = { ...ctx.env, BERTH_CACHE_DIR: cacheDir };
  const usage = async (...flags: string[]) => {
    const run = await timed(ctx.berth.command, [...ctx.berth.args, 'usage', target, '--json', ...flags], env);
    return { ms: run.ms, usage: JSON.parse(run.stdout) as StorageUsage };
  };
  const cold: number[] = [];
  const warm: number[] = [];
  const cached: number[] = [];
  const fetched: number[] = [];
  const headed: number[] = [];
  let last: StorageUsage | undefined;
  for (let run = 0; run < RUNS; run++) {
    await rm(cacheDir, { recursive: true, force: true });
    const first = await usage();
    cold.push(first.ms);
    const second = await usage();
    warm.push(second.ms);
    cached.push((await usage('--cached')).ms);
    last = second.usage;
    headed.push((await timed(process.execPath, [reference, ctx.registry.url, '--head'])).ms);
    const bare = await timed(process.execPath, [reference, ctx.registry.url]);
    fetched.push(bare.ms);
    const expected = (JSON.parse(bare.stdout) as { repositories: Record<string, { bytes: number }> }).repositories;
    for (const repository of last.repositories)
      if (expected[repository.name]?.bytes !== repository.bytes)
        throw new Error(
          `usage of ${repository.name}: berth ${repository.bytes}, reference ${expected[repository.name]?.bytes}`,
        );
  }
  ctx.log(
    `usage: cold ${cold.map(Math.round).join(' ')} ms; warm ${warm.map(Math.round).join(' ')} ms; ` +
      `cached ${cached.map(Math.round).join(' ')} ms; bare GET ${fetched.map(Math.round).join(' ')} ms; ` +
      `bare HEAD ${headed.map(Math.round).join(' ')} ms`,
  );
  const tags = last?.tags.toLocaleString('en-US') ?? '?';
  const name = `berth usage ${SEED.manyTags.repository}`;
  return [
    row(
      `${name} cold vs bare GET of every manifest`,
      median(cold),
      median(fetched),
      `${tags} tags; berth also GETs each config (created dates: one index serves the tag table too)`,
    ),
    row(`${name} warm vs bare HEAD of every tag`, median(warm), median(headed), 'the registry index, revalidated'),
    row(`${name} --cached vs bare GET of every manifest`, median(cached), median(fetched), 'the registry index alone'),
  ];
}
