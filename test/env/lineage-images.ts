/**
 * Seeding for lineage tests: images whose layer chains share prefixes, written with the seeding tool's own
 * pieces (TreeBuilder, buildTar, compress, SeedPusher), so a test controls what no builder lets it choose:
 * the OCI base annotations (`org.opencontainers.image.base.name`/`.base.digest`, in the manifest or in the
 * config's Labels), whether they tell the truth, and the compression of a layer (the same tar as gzip or
 * zstd has one diff ID and two blob digests).
 */
import { buildTar, compress, sha256, TreeBuilder, type Compression } from './layers';
import { SeedPusher, type PushTarget } from './pusher';
import { MEDIA_TYPES } from './seed';

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

/** One layer's content, by name: the same name gives the same tar (and diff ID) every time. */
export interface LayerSpec {
  name: string;
  compression?: Compression;
}

export interface SeededImage {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  diffIds: string[];
  layers: string[];
}

async function layerTar(name: string): Promise<Buffer> {
  return buildTar(new TreeBuilder().file(`/lineage/${name}.txt`, `layer ${name}\n`).entries);
}

/**
 * Pushes `host/repository:tag` with these layers, bottom first. `annotations` go in an OCI manifest's
 * annotations, `labels` in the config's Labels (a Docker manifest has no annotations).
 */
export async function pushLayeredImage(
  target: PushTarget,
  repository: string,
  tag: string,
  layers: readonly LayerSpec[],
  options: {
    format?: 'oci' | 'docker';
    architecture?: string;
    /** Push by digest only (a platform image of an index), leaving `tag` unused. */
    untagged?: boolean;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  } = {},
): Promise<SeededImage> {
  const format = options.format ?? 'oci';
  const pusher = new SeedPusher(target);
  const pushed: { digest: string; size: number; diffId: string; mediaType: string }[] = [];
  for (const layer of layers) {
    const tar = await layerTar(layer.name);
    const compression = layer.compression ?? 'gzip';
    const blob = await compress(tar, compression);
    const mediaType =
      format === 'docker'
        ? MEDIA_TYPES.dockerLayerGzip
        : compression === 'zstd'
          ? MEDIA_TYPES.ociLayerZstd
          : MEDIA_TYPES.ociLayerGzip;
    pushed.push({ ...(await pusher.pushBlob(repository, blob)), diffId: sha256(tar), mediaType });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: 'linux',
      created: '2026-01-02T03:04:05Z',
      config: { Cmd: ['/bin/sh'], ...(options.labels ? { Labels: options.labels } : {}) },
      rootfs: { type: 'layers', diff_ids: pushed.map((layer) => layer.diffId) },
      history: layers.map((layer) => ({ created_by: `COPY ${layer.name}.txt /lineage/` })),
    }),
  );
  const configBlob = await pusher.pushBlob(repository, config);
  const manifestType = format === 'docker' ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: { mediaType: format === 'docker' ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, ...configBlob },
      layers: pushed.map(({ digest, size, mediaType }) => ({ mediaType, digest, size })),
      ...(options.annotations && format === 'oci' ? { annotations: options.annotations } : {}),
    }),
  );
  const digest = await pusher.pushManifest(
    repository,
    options.untagged ? sha256(manifest) : tag,
    manifest,
    manifestType,
  );
  return {
    reference: `${target.host}/${repository}:${tag}`,
    digest,
    mediaType: manifestType,
    size: manifest.length,
    diffIds: pushed.map((layer) => layer.diffId),
    layers: pushed.map((layer) => layer.digest),
  };
}

/** Pushes an OCI index of images already pushed to the same repository, one per `os/arch` platform. */
export async function pushIndex(
  target: PushTarget,
  repository: string,
  tag: string,
  children: readonly { image: SeededImage; platform: string }[],
): Promise<{ reference: string; digest: string }> {
  const manifests = children.map(({ image, platform }) => {
    const [os, architecture] = platform.split('/');
    return { mediaType: image.mediaType, digest: image.digest, size: image.size, platform: { os, architecture } };
  });
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
  const digest = await new SeedPusher(target).pushManifest(repository, tag, bytes, MEDIA_TYPES.ociIndex);
  return { reference: `${target.host}/${repository}:${tag}`, digest };
}
