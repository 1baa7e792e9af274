/**
 * Sync benchmark, in one run on the same machine and registries: `berth sync` against
 * `skopeo sync --all --preserve-digests --src docker --dest docker` on the same 50 tags of one repository
 * (a shared base of two gzip layers from /usr/lib, one small layer of its own per tag), each round into a
 * fresh registry, order rotated, median of N; then the same again as a no-op (everything already there),
 * where Berth does HEADs only and skopeo reads every manifest. Goals: ratio <= 1.0, and <= 0.2 for the no-op.
 */
import { randomBytes } from 'node:crypto';
import { run } from '../env/process';
import { buildTar, compress, sha256, TreeBuilder } from '../env/layers';
import { SeedPusher } from '../env/pusher';
import { startRegistry, type RunningRegistry } from '../env/registry';
import { buildImageFromHostFiles, startHarness } from '../integration/promotion/harness';
import type { SyncTagPlan } from '../../src/shared/types/sync';
import { median, timed } from './promotion';
import { row, type BenchContext, type BenchRow } from './types';

const MiB = 1024 * 1024;
const TAGS = 50;
const ROUNDS = 3;
const REPOSITORY = 'bench/sync';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** 50 tags of one repository: the same base layers, and a layer and config of their own each. */
async function seedTags(registry: RunningRegistry): Promise<{ digests: Map<string, string>; bytes: number }> {
  const base = await buildImageFromHostFiles([24 * MiB, 8 * MiB], { compression: 'gzip' });
  const pusher = new SeedPusher({ host: registry.host });
  const baseLayers = base.blobs.slice(1);
  for (const blob of baseLayers) await pusher.pushBlob(REPOSITORY, blob.bytes);
  const baseConfig = JSON.parse(base.blobs[0]!.bytes.toString('utf8')) as { rootfs: { diff_ids: string[] } };
  const digests = new Map<string, string>();
  let bytes = baseLayers.reduce((sum, blob) => sum + blob.size, 0);
  for (let index = 0; index < TAGS; index++) {
    const tag = `1.${index}.0`;
    const tar = await buildTar(new TreeBuilder().file(`/app/build-${index}.bin`, randomBytes(256 * 1024)).entries);
    const layer = await compress(tar, 'gzip');
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: new Date(Date.UTC(2024, 0, 1 + index)).toISOString(),
        config: { Cmd: ['/bin/true'] },
        rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, sha256(tar)] },
      }),
    );
    await pusher.pushBlob(REPOSITORY, layer);
    await pusher.pushBlob(REPOSITORY, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [...baseLayers, { digest: sha256(layer), size: layer.length }].map((blob) => ({
          mediaType: GZIP_LAYER,
          digest: blob.digest,
          size: blob.size,
        })),
      }),
    );
    digests.set(tag, await pusher.pushManifest(REPOSITORY, tag, manifest, OCI_MANIFEST));
    bytes += layer.length + config.length;
  }
  return { digests, bytes };
}

export async function benchSync(ctx: BenchContext): Promise<BenchRow[]> {
  const { registry } = ctx;
  ctx.log(`sync: pushing ${TAGS} tags of ${REPOSITORY}`);
  const seeded = await seedTags(registry);
  const source = `${registry.host}/${REPOSITORY}`;

  const berthSync = async (target: string, expected: SyncTagPlan['action']) => {
    const { stdout } = await run(ctx.berth.command, [...ctx.berth.args, 'sync', source, target, '--json'], {
      env: ctx.env,
      timeoutMs: 600_000,
    });
    const result = JSON.parse(stdout) as { tags: SyncTagPlan[] };
    const wrong = result.tags.filter((tag) => tag.action !== expected || tag.digest !== seeded.digests.get(tag.tag));
    if (result.tags.length !== TAGS || wrong.length > 0)
      throw new Error(
        `berth sync planned ${result.tags.length} tags, ${wrong.length} not ${expected} with the source digest`,
      );
  };
  // skopeo sync writes SRC's repository under DST: host/skopeo/sync for bench/sync.
  const skopeoSync = (targetHost: string) =>
    run(
      'skopeo',
      [
        'sync',
        '--all',
        '--preserve-digests',
        '--src',
        'docker',
        '--dest',
        'docker',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        source,
        `${targetHost}/skopeo`,
      ],
      { timeoutMs: 600_000, env: { ...process.env, HOME: ctx.tmpDir } },
    );

  // The same request in this process: the sync itself, without the CLI's process start.
  const inProcess = await startHarness([]);
  const serviceNoop = async (target: string) => {
    const result = await inProcess.call('sync.run', {
      rule: { name: 'bench', source, target, referrers: true, mode: 'copy', delete: false },
    });
    if (result.tags.length !== TAGS || result.tags.some((tag) => tag.action !== 'same'))
      throw new Error('the in-process no-op sync found something to do');
  };
  const times = {
    berth: [] as number[],
    skopeo: [] as number[],
    berthNoop: [] as number[],
    skopeoNoop: [] as number[],
    serviceNoop: [] as number[],
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const target = await startRegistry({ mode: 'anonymous' });
      try {
        const berthTarget = `${target.host}/berth/sync`;
        const runs: (() => Promise<void>)[] = [
          async () => void times.berth.push(await timed(() => berthSync(berthTarget, 'new'))),
          async () => void times.skopeo.push(await timed(() => skopeoSync(target.host))),
        ];
        for (let i = 0; i < runs.length; i++) await runs[(i + round) % runs.length]!();
        const noops: (() => Promise<void>)[] = [
          async () => void times.berthNoop.push(await timed(() => berthSync(berthTarget, 'same'))),
          async () => void times.skopeoNoop.push(await timed(() => skopeoSync(target.host))),
          async () => void times.serviceNoop.push(await timed(() => serviceNoop(berthTarget))),
        ];
        for (let i = 0; i < noops.length; i++) await noops[(i + round) % noops.length]!();
        // skopeo must have written the same digests, or the times would compare different work.
        const { stdoutBuffer } = await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${target.host}/skopeo/sync:1.0.0`,
        ]);
        if (sha256(stdoutBuffer) !== seeded.digests.get('1.0.0'))
          throw new Error('skopeo changed a manifest while syncing; the comparison would not be fair');
      } finally {
        await target.dispose();
      }
      ctx.log(
        `sync: round ${round + 1}/${ROUNDS}: berth ${times.berth.at(-1)!.toFixed(0)} ms, skopeo ${times.skopeo.at(-1)!.toFixed(0)} ms; no-op berth ${times.berthNoop.at(-1)!.toFixed(0)} ms (in process ${times.serviceNoop.at(-1)!.toFixed(0)} ms), skopeo ${times.skopeoNoop.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await inProcess.close();
  }
  const note = `${TAGS} tags, ${(seeded.bytes / MiB).toFixed(0)} MiB of blobs; median of ${ROUNDS}; CLI start included`;
  return [
    row(
      'sync 50 tags: berth sync vs skopeo sync --all',
      median(times.berth),
      median(times.skopeo),
      `${note}; goal <= 1.0`,
    ),
    row(
      'sync 50 tags, no-op: berth sync vs skopeo sync --all',
      median(times.berthNoop),
      median(times.skopeoNoop),
      `${note}; berth HEADs only; goal <= 0.2`,
    ),
    row(
      'sync 50 tags, no-op: sync service in process vs skopeo sync --all',
      median(times.serviceNoop),
      median(times.skopeoNoop),
      "the same dispatcher call as the CLI, without berth's process start (skopeo's included)",
    ),
  ];
}
