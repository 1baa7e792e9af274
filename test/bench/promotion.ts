/**
 * Promotion benchmark, in one run on the same machine and registries:
 *   - cross-registry: `berth promote` of a multi-layer image (hundreds of MB) against `skopeo copy --all` of
 *     the same image, each round into a fresh registry, order rotated, median of N; once as the CLI (what a
 *     user runs, process start included) and once as the same request in this process (the copy alone);
 *   - same-registry: the blob bytes a promotion into another repository moves (target: zero), read from the
 *     registry's access log, beside skopeo copying within the same registry.
 */
import { run } from '../env/process';
import { readRequestLog, startRegistry, type RequestLogEntry, type RunningRegistry } from '../env/registry';
import type { PromotionResult } from '../../src/shared/types/promotion';
import { sha256 } from '../env/layers';
import { buildImageFromHostFiles, pushImage, startHarness } from '../integration/promotion/harness';
import { row, type BenchContext, type BenchRow } from './types';

const MiB = 1024 * 1024;
/** Uncompressed layer sizes of the benchmark image (gzip makes it a few hundred MB): a base, a runtime, app layers, small ones. */
const LAYERS = [384 * MiB, 256 * MiB, 160 * MiB, 96 * MiB, 48 * MiB, 16 * MiB, 1 * MiB];
const ROUNDS = 3;
const REPOSITORY = 'bench/promotion-big';
const TAG = '1.0';

/** The image, built from /usr/lib (uncompressed OCI layers) and pushed with the test world's own pusher. */
async function seedBigImage(registry: RunningRegistry): Promise<{ digest: string; bytes: number }> {
  // gzip layers, as real images have: skopeo would compress plain tar layers on the way (another digest).
  const image = await buildImageFromHostFiles(LAYERS, { compression: 'gzip' });
  await pushImage({ host: registry.host }, REPOSITORY, TAG, image);
  return { digest: image.digest, bytes: image.blobs.reduce((sum, blob) => sum + blob.size, 0) };
}

export async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Blob bytes that left or entered the registry during a window of its access log. */
function blobBytesMoved(entries: RequestLogEntry[]): { downloaded: number; uploads: number } {
  const blobs = entries.filter((entry) => entry.path.includes('/blobs/'));
  return {
    downloaded: blobs
      .filter((entry) => entry.method === 'GET' && entry.status < 300)
      .reduce((sum, entry) => sum + entry.bytes, 0),
    uploads: blobs.filter((entry) => entry.method === 'PUT' || entry.method === 'PATCH').length,
  };
}

export async function benchPromotion(ctx: BenchContext): Promise<BenchRow[]> {
  const { registry } = ctx;
  const source = `${registry.host}/${REPOSITORY}:${TAG}`;
  ctx.log(`promotion: building and pushing a ${LAYERS.length}-layer image from /usr/lib`);
  const image = await seedBigImage(registry);
  const sizeNote = `${LAYERS.length + 1} blobs, ${(image.bytes / MiB).toFixed(0)} MiB`;

  const berth = (args: string[]) =>
    run(ctx.berth.command, [...ctx.berth.args, ...args], { env: ctx.env, timeoutMs: 600_000 });
  const skopeoCopy = (target: string) =>
    run(
      'skopeo',
      [
        'copy',
        '--all',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${source}`,
        `docker://${target}`,
      ],
      { timeoutMs: 600_000 },
    );
  const checked = <T extends { digest: string; bytesCopied: number }>(result: T, expectedBytes: number): T => {
    if (result.digest !== image.digest || result.bytesCopied !== expectedBytes) {
      throw new Error(
        `promotion wrote ${result.digest} copying ${result.bytesCopied} bytes; expected ${image.digest} and ${expectedBytes}`,
      );
    }
    return result;
  };
  const cliPromote = async (target: string, expectedBytes: number) =>
    checked(JSON.parse((await berth(['promote', source, target, '--json'])).stdout) as PromotionResult, expectedBytes);
  // The same services and dispatcher as the CLI, in this process: the copy itself, without a process start.
  const inProcess = await startHarness([]);

  // Cross-registry: each round into a fresh registry, so no tool finds (or mounts, from skopeo's blob-location
  // cache) anything an earlier run copied; the order rotates between rounds.
  const times = { cli: [] as number[], inProcess: [] as number[], skopeo: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const target = await startRegistry({ mode: 'anonymous' });
      try {
        const runs: (() => Promise<void>)[] = [
          async () =>
            void times.cli.push(await timed(() => cliPromote(`${target.host}/bench/cli:${TAG}`, image.bytes))),
          async () =>
            void times.inProcess.push(
              await timed(async () =>
                checked(
                  await inProcess.call('promotion.execute', {
                    source,
                    target: `${target.host}/bench/in-process:${TAG}`,
                  }),
                  image.bytes,
                ),
              ),
            ),
          async () => void times.skopeo.push(await timed(() => skopeoCopy(`${target.host}/bench/skopeo:${TAG}`))),
        ];
        for (let i = 0; i < runs.length; i++) await runs[(i + round) % runs.length]!();
        // The same bytes at the target from every tool, so the times compare the same work.
        const { stdoutBuffer } = await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${target.host}/bench/skopeo:${TAG}`,
        ]);
        if (sha256(stdoutBuffer) !== image.digest)
          throw new Error('skopeo changed the manifest while copying; the comparison would not be fair');
      } finally {
        await target.dispose();
      }
      ctx.log(
        `promotion: round ${round + 1}/${ROUNDS}: berth CLI ${times.cli.at(-1)!.toFixed(0)} ms, in-process ${times.inProcess.at(-1)!.toFixed(0)} ms, skopeo ${times.skopeo.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await inProcess.close();
  }
  const startups: number[] = [];
  for (let i = 0; i < 3; i++) startups.push(await timed(() => berth(['--version'])));
  const startupMs = median(startups);

  // Same registry, another repository: Berth mounts; the access log says how many blob bytes moved.
  const logBefore = (await readRequestLog(registry.accessLogFile)).length;
  let same: PromotionResult | undefined;
  const sameMs = await timed(
    async () => (same = await cliPromote(`${registry.host}/bench/promoted-${Date.now()}:${TAG}`, 0)),
  );
  const berthMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(logBefore));
  const skopeoBefore = (await readRequestLog(registry.accessLogFile)).length;
  const skopeoSameMs = await timed(() => skopeoCopy(`${registry.host}/bench/skopeo-promoted-${Date.now()}:${TAG}`));
  const skopeoMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(skopeoBefore));

  const skopeoMedian = median(times.skopeo);
  return [
    row(
      'promote across registries: berth CLI vs skopeo copy --all',
      median(times.cli),
      skopeoMedian,
      `${sizeNote}; median of ${ROUNDS}; includes the CLI start (~${startupMs.toFixed(0)} ms for berth --version); target: ratio <= 1`,
    ),
    row(
      'promote across registries: promotion service vs skopeo copy --all',
      median(times.inProcess),
      skopeoMedian,
      `${sizeNote}; the same dispatcher call as the CLI, without the process start`,
    ),
    row(
      'promote within a registry (other repository): berth CLI vs skopeo copy',
      sameMs,
      skopeoSameMs,
      `blob bytes through Berth: ${berthMoved.downloaded + same!.bytesCopied} (target 0; ${berthMoved.downloaded} downloaded, ${berthMoved.uploads} uploads, ${same!.blobsMounted} mounted); skopeo: ${skopeoMoved.downloaded} bytes downloaded, ${skopeoMoved.uploads} uploads`,
    ),
  ];
}
