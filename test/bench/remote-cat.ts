/**
 * Reading one small file of a large remote gzip layer (issue 19 part 4): a layer of this machine's /usr
 * (400-500 MB gzip) is pushed to the bench registry; with its index warm and its checkpoints built, the
 * layer service reads one small file with an HTTP Range request. Side by side: the full-stream read of the
 * same file (`curl` of the blob | `gzip -dc` | `tar -xO`), and the bytes each transfers, from the registry's
 * access log. Targets: under 2% of the layer's compressed bytes, under 1 s.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createBackend } from '../../src/main/api/backend';
import { createSessionSecretStore } from '../../src/main/credentials';
import { run } from '../env/process';
import { readRequestLog } from '../env/registry';
import { pushLayerImage } from '../integration/layers/push-layer-image';
import type { FixtureLayer } from '../unit/layers/fixtures';
import { median, MiB, sha256File, timed, usrTrees } from './layers';
import { row, type BenchContext, type BenchRow } from './types';

const ROUNDS = 5;
const REPOSITORY = 'bench/remote-cat';

export async function benchRemoteCat(ctx: BenchContext, dir: string): Promise<BenchRow> {
  const { trees } = await usrTrees();
  const tar = join(dir, 'cat.tar');
  const gz = join(dir, 'cat.tar.gz');
  // The /usr trees of the indexing row (about 1.1 GB of tar, 400-500 MB of gzip).
  await run('sh', ['-c', `tar -C / -cf '${tar}' ${trees.join(' ')} 2>/dev/null; [ $? -le 1 ]`], {
    timeoutMs: 1_200_000,
  });
  await run('sh', ['-c', `gzip -6 -c '${tar}' > '${gz}'`], { timeoutMs: 1_800_000 });
  const { stdout: list } = await run(
    'sh',
    ['-c', `tar -tvf '${tar}' | awk '$1 ~ /^-/ && $3 > 2000 && $3 < 20000 {print $6}'`],
    {
      timeoutMs: 300_000,
    },
  );
  const candidates = list.split('\n').filter(Boolean);
  // A small file in the middle of the layer.
  const path = candidates[Math.floor(candidates.length / 2)]!;
  const blob = await readFile(gz);
  const layer: FixtureLayer = {
    tar: Buffer.alloc(0),
    blob,
    compression: 'gzip',
    diffId: await sha256File(tar),
    digest: await sha256File(gz),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  };
  const pushed = await pushLayerImage(ctx.registry.host, REPOSITORY, 'big', layer);
  await rm(tar, { force: true });
  const { ref } = pushed;
  ctx.log(`layers: remote cat of /${path} in a ${(pushed.size / MiB).toFixed(0)} MiB gzip layer`);

  const backend = await createBackend({
    transport: 'serve',
    env: { ...ctx.env, BERTH_CACHE_DIR: join(dir, 'cat-cache') },
    secrets: createSessionSecretStore(),
  });
  const layerGets = async (since: number) =>
    (await readRequestLog(ctx.registry.accessLogFile))
      .slice(since)
      .filter((entry) => entry.method === 'GET' && entry.path.includes(pushed.digest));
  try {
    // The first read: index, then one more stream for the checkpoints.
    const first = await timed(() => backend.services.layers.readFile(ref, `/${path}`, 1 << 20));
    ctx.log(`layers: first read (index + checkpoints) ${first.ms.toFixed(0)} ms`);
    const berthTimes: number[] = [];
    const referenceTimes: number[] = [];
    let rangedBytes = 0;
    let streamedBytes = 0;
    const url = `http://${ctx.registry.host}/v2/${REPOSITORY}/blobs/${pushed.digest}`;
    for (let round = 0; round < ROUNDS; round++) {
      const before = (await readRequestLog(ctx.registry.accessLogFile)).length;
      berthTimes.push((await timed(() => backend.services.layers.readFile(ref, `/${path}`, 1 << 20))).ms);
      rangedBytes = (await layerGets(before)).reduce((sum, entry) => sum + entry.bytes, 0);
      const middle = (await readRequestLog(ctx.registry.accessLogFile)).length;
      referenceTimes.push(
        (
          await timed(() =>
            run('sh', ['-c', `curl -sf '${url}' | gzip -dc | tar -xOf - '${path}' > /dev/null`], {
              timeoutMs: 600_000,
            }),
          )
        ).ms,
      );
      streamedBytes = (await layerGets(middle)).reduce((sum, entry) => sum + entry.bytes, 0);
    }
    const share = (100 * rangedBytes) / pushed.size;
    return row(
      'remote cat of a small file, warm index (Range) vs full stream (curl | gzip -dc | tar -xO)',
      median(berthTimes),
      median(referenceTimes),
      `${(pushed.size / MiB).toFixed(0)} MiB gzip layer; Berth transferred ${(rangedBytes / MiB).toFixed(2)} MiB (${share.toFixed(2)}% of the layer, target < 2%), the full stream ${(streamedBytes / MiB).toFixed(0)} MiB; in-process service call; first read (index + checkpoints) ${first.ms.toFixed(0)} ms; median of ${ROUNDS}; target < 1000 ms`,
    );
  } finally {
    await backend.close();
    await rm(gz, { force: true });
  }
}
