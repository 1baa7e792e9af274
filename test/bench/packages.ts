/**
 * Package inventory benchmark, in one run on the same machine: `berth sbom` of an image whose one layer is
 * over 1 GB (trees of this machine's /usr, which hold Python metadata and Go binaries, plus its dpkg status
 * file, stored last as a package manager's database usually is) against `gzip -dc | tar -t` of the same
 * layer: cold (empty cache: the layer is indexed, then read again up to the last package file; target: no
 * more than reading the tar once), and warm (the inventory from the cache, in a new CLI process; target
 * 200 ms).
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../env/process';
import { median, MiB, sha256File, singleLayerLayout, timed, usrTrees } from './layers';
import { row, type BenchContext, type BenchRow } from './types';

const ROUNDS = 3;
const WARM_ROUNDS = 5;

async function berthSbom(
  ctx: BenchContext,
  reference: string,
  cacheDir: string,
): Promise<{ ms: number; packages: number }> {
  const { ms, value } = await timed(() =>
    run(ctx.berth.command, [...ctx.berth.args, 'sbom', reference, '--json'], {
      env: { ...ctx.env, BERTH_CACHE_DIR: cacheDir },
      timeoutMs: 1_800_000,
    }),
  );
  return { ms, packages: (JSON.parse(value.stdout) as { packages: unknown[] }).packages.length };
}

export async function benchPackages(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = join(ctx.tmpDir, 'packages');
  const { trees, planned } = await usrTrees();
  await run('mkdir', ['-p', dir]);
  const tar = join(dir, 'image.tar');
  ctx.log(`packages: tar of /${trees.join(', /')} and /var/lib/dpkg/status (about ${(planned / MiB).toFixed(0)} MiB)`);
  await run('sh', ['-c', `tar -C / -cf '${tar}' ${trees.join(' ')} var/lib/dpkg/status 2>/dev/null; [ $? -le 1 ]`], {
    timeoutMs: 1_200_000,
  });
  const tarBytes = (await stat(tar)).size;
  const diffId = await sha256File(tar);
  const gz = join(dir, 'image.tar.gz');
  await run('sh', ['-c', `pigz -6 -c '${tar}' > '${gz}' || gzip -6 -c '${tar}' > '${gz}'`], { timeoutMs: 1_800_000 });
  await rm(tar, { force: true });
  const layout = join(dir, 'layout');
  await singleLayerLayout(layout, gz, diffId, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const gzBytes = (await stat(gz)).size;

  const cold: number[] = [];
  const reference: number[] = [];
  let packages = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const cache = join(dir, 'cache');
    const runBerth = async () => {
      await rm(cache, { recursive: true, force: true });
      const result = await berthSbom(ctx, `oci:${layout}`, cache);
      cold.push(result.ms);
      packages = result.packages;
    };
    const runReference = async () => {
      reference.push(
        (await timed(() => run('sh', ['-c', `gzip -dc < '${gz}' | tar -t > /dev/null`], { timeoutMs: 1_200_000 }))).ms,
      );
    };
    if (round % 2 === 0) await runBerth().then(runReference);
    else await runReference().then(runBerth);
    ctx.log(
      `packages: round ${round + 1}/${ROUNDS}: berth sbom ${cold.at(-1)!.toFixed(0)} ms, gzip -dc | tar -t ${reference.at(-1)!.toFixed(0)} ms`,
    );
  }
  const warm: number[] = [];
  for (let round = 0; round < WARM_ROUNDS; round++)
    warm.push((await berthSbom(ctx, `oci:${layout}`, join(dir, 'cache'))).ms);
  const size = `${(gzBytes / MiB).toFixed(0)} MiB gzip / ${(tarBytes / MiB).toFixed(0)} MiB tar, ${packages} packages`;
  return [
    row(
      'berth sbom of a 1 GB layer (cold cache) vs gzip -dc | tar -t',
      median(cold),
      median(reference),
      `${size}; median of ${ROUNDS}; target: ratio <= 1`,
    ),
    row(
      'berth sbom again (inventory cache, new process) vs 200 ms target',
      median(warm),
      200,
      `median of ${WARM_ROUNDS}`,
    ),
  ];
}
