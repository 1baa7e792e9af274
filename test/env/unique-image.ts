import { randomBytes } from 'node:crypto';
import { buildTar, compress, sha256, TreeBuilder } from './layers';
import { SeedPusher, type PushTarget } from './pusher';
import { MEDIA_TYPES } from './seed';

/**
 * Pushes a Docker v2 image with one gzip layer per tree, in order (the first is the base), for tests that need
 * particular files: a symlink that changes target, a file of a given size.
 */
export async function pushTreeImage(
  target: PushTarget,
  repository: string,
  tag: string,
  trees: readonly TreeBuilder[],
): Promise<{ digest: string; layers: string[] }> {
  const layers: { gzip: Buffer; diffId: string }[] = [];
  for (const tree of trees) {
    const tar = await buildTar(tree.entries);
    layers.push({ gzip: await compress(tar, 'gzip'), diffId: sha256(tar) });
  }
  return pushLayersImage(target, repository, tag, layers);
}

/** Pushes a Docker v2 image of gzip layers made elsewhere (each with the sha256 of its tar), base first. */
export async function pushLayersImage(
  target: PushTarget,
  repository: string,
  tag: string,
  gzipLayers: readonly { gzip: Buffer; diffId: string }[],
): Promise<{ digest: string; layers: string[] }> {
  const pusher = new SeedPusher(target);
  const layers: { digest: string; size: number; diffId: string }[] = [];
  for (const layer of gzipLayers)
    layers.push({ ...(await pusher.pushBlob(repository, layer.gzip)), diffId: layer.diffId });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: new Date().toISOString(),
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created_by: `COPY layer-${i} /` })),
    }),
  );
  const configBlob = await pusher.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, ...configBlob },
      layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.dockerLayerGzip, digest: l.digest, size: l.size })),
    }),
  );
  const digest = await pusher.pushManifest(repository, tag, manifest, MEDIA_TYPES.dockerManifest);
  return { digest, layers: layers.map((l) => l.digest) };
}

/**
 * Pushes a small Docker v2 image whose every layer is new to the world (random content), for tests that
 * must see an engine download each layer: the shared dockerd may already hold any seeded image.
 */
export async function pushUniqueImage(
  target: PushTarget,
  repository: string,
  tag: string,
  layerCount = 2,
): Promise<{ digest: string; layers: string[] }> {
  const trees = Array.from({ length: layerCount }, (_, i) =>
    new TreeBuilder().file(`/unique/layer-${i}.bin`, randomBytes(64 * 1024)),
  );
  return pushTreeImage(target, repository, tag, trees);
}
