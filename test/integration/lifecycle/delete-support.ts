/**
 * Fixtures for the delete and retention tests: small images with a chosen created date and random layers
 * (so no other image shares them unless a test says so), extra tags on the same manifest bytes, multi-arch
 * indexes, and the registry's own tag list, all through the independent test pusher and plain HTTP.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../../env/layers';
import { SeedPusher, type PushTarget } from '../../env/pusher';
import { MEDIA_TYPES } from '../../env/seed';

export interface PushedImage {
  digest: string;
  manifest: Buffer;
  /** Every blob with its size: the manifest's own bytes, the config, the layers. */
  blobs: { digest: string; size: number }[];
  layers: { digest: string; size: number; bytes: Buffer }[];
}

/** An OCI image whose config says `created`, with fresh random layers (or the given ones, to share them). */
export async function pushImage(
  target: PushTarget,
  repository: string,
  tags: string[],
  options: {
    created?: string;
    layers?: { digest: string; size: number; bytes: Buffer }[];
    architecture?: string;
  } = {},
): Promise<PushedImage> {
  const pusher = new SeedPusher(target);
  const layers =
    options.layers ??
    [randomBytes(3000 + Math.floor(Math.random() * 2000))].map((bytes) => ({
      digest: sha256(bytes),
      size: bytes.length,
      bytes,
    }));
  for (const layer of layers) await pusher.pushBlob(repository, layer.bytes);
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: 'linux',
      created: options.created ?? new Date().toISOString(),
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
      config: { Env: [`NONCE=${randomBytes(8).toString('hex')}`] },
    }),
  );
  const configBlob = await pusher.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, ...configBlob },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: layer.digest,
        size: layer.size,
      })),
    }),
  );
  const digest = sha256(manifest);
  for (const tag of tags) await pusher.pushManifest(repository, tag, manifest, MEDIA_TYPES.ociManifest);
  if (tags.length === 0) await pusher.pushManifest(repository, digest, manifest, MEDIA_TYPES.ociManifest);
  return {
    digest,
    manifest,
    blobs: [
      { digest, size: manifest.length },
      configBlob,
      ...layers.map(({ digest: d, size }) => ({ digest: d, size })),
    ],
    layers,
  };
}

/** An OCI index over images already in the repository, tagged `tags`. */
export async function pushIndex(
  target: PushTarget,
  repository: string,
  tags: string[],
  platforms: { image: PushedImage; architecture: string }[],
): Promise<{ digest: string; size: number }> {
  const pusher = new SeedPusher(target);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: platforms.map(({ image, architecture }) => ({
        mediaType: MEDIA_TYPES.ociManifest,
        digest: image.digest,
        size: image.manifest.length,
        platform: { os: 'linux', architecture },
      })),
    }),
  );
  for (const tag of tags) await pusher.pushManifest(repository, tag, index, MEDIA_TYPES.ociIndex);
  return { digest: sha256(index), size: index.length };
}

/** The registry's own tag list (`GET /v2/<name>/tags/list`), sorted; empty for a repository with none. */
export async function registryTags(registry: { url: string }, repository: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repository}/tags/list`, { signal: AbortSignal.timeout(30_000) });
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}
