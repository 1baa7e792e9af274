/**
 * Promotion benchmark, in one run on the same machine and registries:
 *   - cross-registry: `berth promote` of a multi-layer image (hundreds of MB) against `skopeo copy --all` of
 *     the same image, each into a fresh repository of the second registry, alternated, median of N;
 *   - same-registry: the blob bytes a promotion into another repository moves (target: zero), read from the
 *     registry's access log, beside skopeo copying within the same registry.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../env/process';
import { readRequestLog, type RequestLogEntry, type RunningRegistry } from '../env/registry';
import { buildImageFromHostFiles, pushImage } from '../integration/promotion/harness';
import { row, type BenchContext, type BenchRow } from './types';

const MiB = 1024 * 1024;
/** Layer sizes of the benchmark image: a base, a runtime, app layers and small config-like layers. */
const LAYERS = [128 * MiB, 96 * MiB, 64 * MiB, 32 * MiB, 16 * MiB, 4 * MiB, 1 * MiB];
const ROUNDS = 3;
const REPOSITORY = 'bench/promotion-big';
const TAG = '1.0';

/** The image, built from /usr/lib (uncompressed OCI layers) and pushed with the test world's own pusher. */
async function seedBigImage(registry: RunningRegistry): Promise<{ digest: string; bytes: number }> {
  const image = await buildImageFromHostFiles(LAYERS);
  await pushImage({ host: registry.host }, REPOSITORY, TAG, image);
  return { digest: image.digest, bytes: image.blobs.reduce((sum, blob) => sum + blob.size, 0) };
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Blob bytes that left or entered the registry during a window of its access log. */
function blobBytesMoved(entries: RequestLogEntry[]): { downloaded: number; uploads: number } {
  const blobs = entries.filter((entry) => entry.path.includes('/blobs/'));
  return {
    downloaded: blobs.filter((entry) => entry.method === 'GET' && entry.status < 300).reduce((sum, entry) => sum + entry.bytes, 0),
    uploads: blobs.filter((entry) => entry.method === 'PUT' || entry.method === 'PATCH').length,
  };
}

export async function benchPromotion(ctx: BenchContext): Promise<BenchRow[]> {
  const { registry, registryB } = ctx;
  const source = `${registry.host}/${REPOSITORY}:${TAG}`;
  ctx.log(`promotion: building and pushing a ${LAYERS.length}-layer image from /usr/lib`);
  const image = await seedBigImage(registry);
  const sizeNote = `${LAYERS.length + 1} blobs, ${(image.bytes / MiB).toFixed(0)} MiB`;

  // skopeo keeps a blob-location cache in $HOME; a fresh one per run keeps it from mounting what an earlier
  // run copied, so both tools move every byte.
  const skopeoHome = async (name: string) => {
    const home = join(ctx.tmpDir, 'skopeo-home', name);
    await mkdir(home, { recursive: true });
    return { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
  };
  const berth = (args: string[]) => run(ctx.berth.command, [...ctx.berth.args, ...args], { env: ctx.env, timeoutMs: 600_000 });
  const skopeo = async (args: string[], name: string) => run('skopeo', args, { env: await skopeoHome(name), timeoutMs: 600_000 });
  const skopeoCopy = (target: string, name: string) =>
    skopeo(['copy', '--all', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${source}`, `docker://${target}`], name);

  // Cross-registry: alternated rounds, each into a repository nothing was copied to before.
  const berthTimes: number[] = [];
  const skopeoTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const berthTarget = `${registryB.host}/bench/berth-${round}-${Date.now()}:${TAG}`;
    const skopeoTarget = `${registryB.host}/bench/skopeo-${round}-${Date.now()}:${TAG}`;
    let output = '';
    berthTimes.push(await timed(async () => (output = (await berth(['promote', source, berthTarget, '--json'])).stdout)));
    const result = JSON.parse(output) as { digest: string; bytesCopied: number };
    if (result.digest !== image.digest || result.bytesCopied !== image.bytes) {
      throw new Error(`berth promote copied ${result.bytesCopied} bytes to ${result.digest}, expected ${image.bytes} to ${image.digest}`);
    }
    skopeoTimes.push(await timed(() => skopeoCopy(skopeoTarget, `cross-${round}`)));
    ctx.log(`promotion: round ${round + 1}/${ROUNDS}: berth ${berthTimes.at(-1)!.toFixed(0)} ms, skopeo ${skopeoTimes.at(-1)!.toFixed(0)} ms`);
  }

  // Same registry, another repository: Berth mounts; the access log says how many blob bytes moved.
  const logBefore = (await readRequestLog(registry.accessLogFile)).length;
  let sameOutput = '';
  const sameMs = await timed(async () => (sameOutput = (await berth(['promote', source, `${registry.host}/bench/promoted-${Date.now()}:${TAG}`, '--json'])).stdout));
  const berthMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(logBefore));
  const same = JSON.parse(sameOutput) as { blobsMounted: number; bytesCopied: number };
  const skopeoBefore = (await readRequestLog(registry.accessLogFile)).length;
  const skopeoSameMs = await timed(() => skopeoCopy(`${registry.host}/bench/skopeo-promoted-${Date.now()}:${TAG}`, 'same'));
  const skopeoMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(skopeoBefore));

  return [
    row('promote across registries vs skopeo copy --all', median(berthTimes), median(skopeoTimes), `${sizeNote}; median of ${ROUNDS}; target: ratio <= 1`),
    row(
      'promote within a registry (other repository) vs skopeo copy',
      sameMs,
      skopeoSameMs,
      `blob bytes moved by Berth: ${berthMoved.downloaded} downloaded, ${berthMoved.uploads} uploads, ${same.blobsMounted} mounted, bytesCopied ${same.bytesCopied} (target: 0); skopeo: ${skopeoMoved.downloaded} bytes downloaded, ${skopeoMoved.uploads} uploads`,
    ),
  ];
}
