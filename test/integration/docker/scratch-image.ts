/**
 * Small images of random (incompressible) layers pushed under a scratch namespace, so each test owns what it
 * pulls, pushes and removes, and layer sizes are known to the byte.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildTar, sha256, TreeBuilder } from '../../env/layers';
import { SeedPusher, type PushTarget } from '../../env/pusher';

export interface ScratchImage {
  /** `127.0.0.1:PORT/scratch/...:TAG` */
  ref: string;
  repository: string;
  tag: string;
  digest: string;
  /** Compressed layer digests and sizes, base first. */
  layers: { digest: string; size: number }[];
}

/** The 12-hex id the engine shows for a layer in pull progress. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export async function pushScratchImage(
  target: PushTarget,
  repository: string,
  tag: string,
  layerBytes: number[],
): Promise<ScratchImage> {
  const pusher = new SeedPusher(target);
  const layers: { digest: string; size: number; diffId: string }[] = [];
  for (const [index, bytes] of layerBytes.entries()) {
    const tar = await buildTar(new TreeBuilder().file(`/data/layer-${index}.bin`, randomBytes(bytes)).entries);
    // Random bytes do not compress: the fastest level gives the same size sooner.
    const gz = gzipSync(tar, { level: 1 });
    layers.push({ ...(await pusher.pushBlob(repository, gz)), diffId: sha256(tar) });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-05-01T12:00:00Z',
      config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/true'], Labels: { 'org.opencontainers.image.title': repository } },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map((_, index) => ({
        created: '2024-05-01T12:00:00Z',
        created_by: `COPY layer-${index}.bin /data/`,
      })),
    }),
  );
  const configBlob = await pusher.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...configBlob },
      layers: layers.map(({ digest, size }) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest,
        size,
      })),
    }),
  );
  const digest = await pusher.pushManifest(
    repository,
    tag,
    manifest,
    'application/vnd.docker.distribution.manifest.v2+json',
  );
  return {
    ref: `${target.host}/${repository}:${tag}`,
    repository,
    tag,
    digest,
    layers: layers.map(({ digest: d, size }) => ({ digest: d, size })),
  };
}
