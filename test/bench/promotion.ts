/**
 * Promotion benchmark, in one run on the same machine and registries:
 *   - cross-registry: `berth promote` of a multi-layer image (hundreds of MB) against `skopeo copy --all` of
 *     the same image, each round into a fresh registry, order alternated, median of N;
 *   - same-registry: the blob bytes a promotion into another repository moves (target: zero), read from the
 *     registry's access log, beside skopeo copying within the same registry.
 */
import { run } from '../env/process';
import { readRequestLog, startRegistry, type RequestLogEntry, type RunningRegistry } from '../env/registry';
import { buildImageFromHostFiles, pushImage, sha256 } from '../integration/promotion/harness';
import { row, type BenchContext, type BenchRow } from './types';

const MiB = 1024 * 1024;
/** Uncompressed layer sizes of the benchmark image (gzip makes it a few hundred MB): a base, a runtime, app layers, small ones. */
const LAYERS = [224 * MiB, 160 * MiB, 96 * MiB, 64 * MiB, 32 * MiB, 8 * MiB, 1 * MiB];
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
  const { registry } = ctx;
  const source = `${registry.host}/${REPOSITORY}:${TAG}`;
  ctx.log(`promotion: building and pushing a ${LAYERS.length}-layer image from /usr/lib`);
  const image = await seedBigImage(registry);
  const sizeNote = `${LAYERS.length + 1} blobs, ${(image.bytes / MiB).toFixed(0)} MiB`;

  const berth = (args: string[]) => run(ctx.berth.command, [...ctx.berth.args, ...args], { env: ctx.env, timeoutMs: 600_000 });
  const skopeoCopy = (target: string) =>
    run('skopeo', ['copy', '--all', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${source}`, `docker://${target}`], { timeoutMs: 600_000 });
  const berthPromote = async (target: string) => {
    const result = JSON.parse((await berth(['promote', source, target, '--json'])).stdout) as { digest: string; bytesCopied: number; blobsMounted: number };
    if (result.digest !== image.digest) throw new Error(`berth promote wrote ${result.digest}, expected ${image.digest}`);
    return result;
  };

  // Cross-registry: each round into a fresh registry, so neither tool finds (or mounts, from skopeo's
  // blob-location cache) anything copied before; the order alternates between rounds.
  const berthTimes: number[] = [];
  const skopeoTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const target = await startRegistry({ mode: 'anonymous' });
    try {
      const runBerth = async () => {
        let copied = 0;
        berthTimes.push(await timed(async () => (copied = (await berthPromote(`${target.host}/bench/berth:${TAG}`)).bytesCopied)));
        if (copied !== image.bytes) throw new Error(`berth promote copied ${copied} bytes, expected ${image.bytes}`);
      };
      const runSkopeo = async () => {
        skopeoTimes.push(await timed(() => skopeoCopy(`${target.host}/bench/skopeo:${TAG}`)));
      };
      if (round % 2 === 0) await runBerth().then(runSkopeo);
      else await runSkopeo().then(runBerth);
      // Same bytes at the target from both, so the times compare the same work.
      const { stdoutBuffer } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${target.host}/bench/skopeo:${TAG}`]);
      if (sha256(stdoutBuffer) !== image.digest) throw new Error('skopeo changed the manifest while copying; the comparison would not be fair');
    } finally {
      await target.dispose();
    }
    ctx.log(`promotion: round ${round + 1}/${ROUNDS}: berth ${berthTimes.at(-1)!.toFixed(0)} ms, skopeo ${skopeoTimes.at(-1)!.toFixed(0)} ms`);
  }

  // Same registry, another repository: Berth mounts; the access log says how many blob bytes moved.
  const logBefore = (await readRequestLog(registry.accessLogFile)).length;
  let same = { blobsMounted: 0, bytesCopied: -1 };
  const sameMs = await timed(async () => (same = await berthPromote(`${registry.host}/bench/promoted-${Date.now()}:${TAG}`)));
  const berthMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(logBefore));
  const skopeoBefore = (await readRequestLog(registry.accessLogFile)).length;
  const skopeoSameMs = await timed(() => skopeoCopy(`${registry.host}/bench/skopeo-promoted-${Date.now()}:${TAG}`));
  const skopeoMoved = blobBytesMoved((await readRequestLog(registry.accessLogFile)).slice(skopeoBefore));

  return [
    row('promote across registries vs skopeo copy --all', median(berthTimes), median(skopeoTimes), `${sizeNote}; median of ${ROUNDS}; target: ratio <= 1`),
    row(
      'promote within a registry (other repository) vs skopeo copy',
      sameMs,
      skopeoSameMs,
      `blob bytes through Berth: ${berthMoved.downloaded + same.bytesCopied} (${berthMoved.downloaded} downloaded, ${berthMoved.uploads} uploads; ${same.blobsMounted} mounted; target 0); skopeo: ${skopeoMoved.downloaded} bytes downloaded, ${skopeoMoved.uploads} uploads`,
    ),
  ];
}
