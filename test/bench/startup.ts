/**
 * CLI start-up, side by side with its references in one run, one process per run, median of several:
 * - `berth --version` and `berth --help` vs `node -e 0` (the runtime's own start: the floor for any Node CLI);
 * - `berth tags` of the 2,000-tag repository vs `skopeo list-tags`, with both peak RSS (GNU time's %M).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SEED } from '../env/seed';
import { median, timed } from './registry';
import { row, type BenchContext, type BenchRow } from './types';

const execFileAsync = promisify(execFile);
const RUNS = 9;

/** Median wall time of `runs` sequential processes. */
async function medianMs(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) runs.push((await timed(command, args, env)).ms);
  return median(runs);
}

/** Peak resident set of one process in MiB, from GNU time. */
async function peakMiB(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const { stderr } = await execFileAsync('/usr/bin/time', ['-f', 'peak-kb %M', command, ...args], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const kb = /peak-kb (\d+)/.exec(stderr)?.[1];
  if (!kb) throw new Error(`no peak RSS from /usr/bin/time: ${stderr.slice(-200)}`);
  return Number(kb) / 1024;
}

export async function benchStartup(ctx: BenchContext): Promise<BenchRow[]> {
  const berth = [...ctx.berth.args];
  const repository = `${ctx.registry.host}/${SEED.manyTags.repository}`;
  const skopeoTags = ['list-tags', '--tls-verify=false', `docker://${repository}`];
  // Warm the page cache and the registry before measuring.
  await timed(ctx.berth.command, [...berth, 'tags', repository, '--json'], ctx.env);
  await timed('skopeo', skopeoTags);

  const node = await medianMs(process.execPath, ['-e', '0']);
  const version = await medianMs(ctx.berth.command, [...berth, '--version'], ctx.env);
  const help = await medianMs(ctx.berth.command, [...berth, '--help'], ctx.env);
  const tags = await medianMs(ctx.berth.command, [...berth, 'tags', repository, '--json'], ctx.env);
  const skopeo = await medianMs('skopeo', skopeoTags);
  const berthPeak = await peakMiB(ctx.berth.command, [...berth, 'tags', repository, '--json'], ctx.env);
  const skopeoPeak = await peakMiB('skopeo', skopeoTags);
  ctx.log(
    `start-up: node -e 0 ${node.toFixed(0)} ms, --version ${version.toFixed(0)} ms, --help ${help.toFixed(0)} ms`,
  );
  return [
    row('berth --version vs node -e 0', version, node, `goal <= 1.3x; median of ${RUNS} processes each`),
    row('berth --help vs node -e 0', help, node, `goal <= 1.3x; median of ${RUNS} processes each`),
    row(
      'berth tags vs skopeo list-tags (2,000 tags), start-up included',
      tags,
      skopeo,
      `goal <= 3x; peak RSS berth ${berthPeak.toFixed(0)} MiB (goal < 60), skopeo ${skopeoPeak.toFixed(0)} MiB`,
    ),
  ];
}
