/**
 * Registry core against skopeo, side by side in one run on the seeded registry, both as CLI processes:
 * - `berth tags` vs `skopeo list-tags` on the 2,000-tag repository (median of several runs);
 * - `berth inspect` vs `skopeo inspect --no-tags` of 200 tags, one process per tag for both
 *   (`--no-tags`: without it skopeo also lists the 2,000 tags on every inspect, which Berth does not do);
 * - and, as a separate row, `berth inspect` of the same 200 tags in ONE process (several references in one
 *   call, inspected concurrently) against the same 200 skopeo processes: what a user scripting it gets.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { SEED } from '../env/seed';
import { row, type BenchContext, type BenchRow } from './types';

const execFileAsync = promisify(execFile);
const TAG_RUNS = 7;
const INSPECT_COUNT = 200;

export async function timed(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const { stdout } = await execFileAsync(command, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return { ms: performance.now() - started, stdout };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function benchRegistry(ctx: BenchContext): Promise<BenchRow[]> {
  const host = ctx.registry.host;
  const repository = `${host}/${SEED.manyTags.repository}`;
  const berth = (...args: string[]) => timed(ctx.berth.command, [...ctx.berth.args, ...args], ctx.env);
  const skopeo = (...args: string[]) => timed('skopeo', args);

  // Warm both (page cache, the registry's own caches) before measuring; check they agree.
  const berthTags = JSON.parse((await berth('tags', repository, '--json')).stdout) as { tags: string[] };
  const skopeoTags = JSON.parse((await skopeo('list-tags', '--tls-verify=false', `docker://${repository}`)).stdout) as {
    Tags: string[];
  };
  if (berthTags.tags.length !== skopeoTags.Tags.length)
    throw new Error(`tag counts differ: berth ${berthTags.tags.length}, skopeo ${skopeoTags.Tags.length}`);

  const berthTagRuns: number[] = [];
  const skopeoTagRuns: number[] = [];
  for (let run = 0; run < TAG_RUNS; run++) {
    berthTagRuns.push((await berth('tags', repository, '--json')).ms);
    skopeoTagRuns.push((await skopeo('list-tags', '--tls-verify=false', `docker://${repository}`)).ms);
  }
  ctx.log(
    `tags: berth ${berthTagRuns.map(Math.round).join(' ')} ms; skopeo ${skopeoTagRuns.map(Math.round).join(' ')} ms`,
  );

  const references = SEED.manyTags.tags.slice(0, INSPECT_COUNT).map((tag) => `${repository}:${tag.name}`);
  await berth('inspect', references[0]!, '--json');
  await skopeo('inspect', '--tls-verify=false', '--no-tags', `docker://${references[0]}`);

  let berthEach = 0;
  for (const reference of references) berthEach += (await berth('inspect', reference, '--json')).ms;
  let skopeoEach = 0;
  for (const reference of references)
    skopeoEach += (await skopeo('inspect', '--tls-verify=false', '--no-tags', `docker://${reference}`)).ms;
  const together = await berth('inspect', '--json', ...references);
  const inspected = (JSON.parse(together.stdout) as unknown[]).length;
  if (inspected !== INSPECT_COUNT)
    throw new Error(`berth inspected ${inspected} of ${INSPECT_COUNT} references in one call`);

  return [
    row(
      'berth tags vs skopeo list-tags (2,000 tags)',
      median(berthTagRuns),
      median(skopeoTagRuns),
      `median of ${TAG_RUNS} runs each, one CLI process per run`,
    ),
    row(
      `berth inspect x${INSPECT_COUNT} vs skopeo inspect --no-tags x${INSPECT_COUNT}`,
      berthEach,
      skopeoEach,
      'one CLI process per tag for both, sequential',
    ),
    row(
      `berth inspect of ${INSPECT_COUNT} tags in one process vs skopeo x${INSPECT_COUNT}`,
      together.ms,
      skopeoEach,
      'berth: one process, references inspected concurrently; skopeo: one process per tag (it has no multi-reference inspect)',
    ),
  ];
}
