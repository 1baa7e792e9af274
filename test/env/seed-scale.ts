/**
 * The scale seed (issue 19, part 6): a registry whose catalog holds 5,000 repositories, one of them with
 * 10,000 tags. Kept apart from SEED (test/env/seed.ts), whose tests rely on its short catalog.
 *
 * Cheap by construction: every repository holds the same small image, whose two blobs are uploaded once and
 * mounted into the other repositories (one request each); the 10,000 tags point at 100 manifests (100 config
 * blobs, one shared layer), so created dates vary without 10,000 uploads. About 25,000 requests in all,
 * concurrently; `startScaleRegistry` snapshots the storage like the main seed (seed-cache.ts), so a rerun
 * starts from a copy.
 */
import { sha256 } from './layers';
import { mapLimit, SeedPusher, type PushTarget } from './pusher';
import type { RegistryOptions, RunningRegistry } from './registry';
import { buildSmallImage, type BuiltManifest } from './seed';
import { startSnapshottedRegistry } from './seed-cache';

const REPOSITORY_COUNT = 5000;
const DISTINCT_MANIFESTS = 100;

/** `v{0..9}.{0..99}.{0..9}`: 10,000 tags in lexical order. */
function tagNames(): string[] {
  const names: string[] = [];
  for (let major = 0; major < 10; major++)
    for (let minor = 0; minor < 100; minor++)
      for (let patch = 0; patch < 10; patch++) names.push(`v${major}.${minor}.${patch}`);
  return names;
}

export const SCALE = {
  /** The repository with 10,000 tags (one of the 5,000). */
  bigRepository: 'scale/tags',
  tags: tagNames(),
  /** Every repository, in catalog (lexical) order: `repo-0000` ... `repo-4998`, then `scale/tags`. */
  repositories: [
    ...Array.from({ length: REPOSITORY_COUNT - 1 }, (_, index) => `repo-${String(index).padStart(4, '0')}`),
    'scale/tags',
  ],
} as const;

export interface ScaleSeedResult {
  registry: string;
  durationMs: number;
  repositoryCount: number;
  tagCount: number;
  /** Digest of the manifest every `repo-NNNN:latest` points at. */
  repositoryManifest: string;
}

let contentPromise: Promise<{ image: BuiltManifest; tagManifests: BuiltManifest[] }> | undefined;

function scaleContent(): Promise<{ image: BuiltManifest; tagManifests: BuiltManifest[] }> {
  contentPromise ??= (async () => {
    const files = { '/srv/scale.txt': 'one image shared by the scale seed\n' };
    const image = await buildSmallImage({ format: 'docker', created: '2024-01-01T00:00:00Z', files });
    // Same layer bytes (same files), a config per created date: 100 manifests.
    const tagManifests = await Promise.all(
      Array.from({ length: DISTINCT_MANIFESTS }, (_, index) =>
        buildSmallImage({
          format: 'docker',
          created: new Date(Date.UTC(2022, 0, 1) + ((index * 37) % DISTINCT_MANIFESTS) * 86_400_000).toISOString(),
          files,
        }),
      ),
    );
    return { image, tagManifests };
  })();
  return contentPromise;
}

/** Names the scale content: a rerun with the same content may start from its snapshot. */
export async function scaleContentKey(): Promise<string> {
  const { image, tagManifests } = await scaleContent();
  const digests = [image, ...tagManifests].map((manifest) => manifest.descriptor.digest);
  const shape = JSON.stringify({ repositories: SCALE.repositories.length, tags: SCALE.tags.length, digests });
  return sha256(shape).slice('sha256:'.length, 'sha256:'.length + 24);
}

/** Pushes the scale content through the registry API (idempotent, like seedRegistry). */
export async function seedScaleRegistry(
  target: PushTarget,
  options: { concurrency?: number } = {},
): Promise<ScaleSeedResult> {
  const started = Date.now();
  const concurrency = options.concurrency ?? 16;
  const { image, tagManifests } = await scaleContent();
  const pusher = new SeedPusher(target);
  const [first, ...others] = SCALE.repositories.filter((name) => name !== SCALE.bigRepository) as string[];

  for (const blob of image.blobs) await pusher.pushBlob(first!, blob.bytes);
  await pusher.pushManifest(first!, 'latest', image.bytes, image.descriptor.mediaType);
  await mapLimit(others, concurrency, async (repository) => {
    for (const blob of image.blobs) await pusher.mountBlob(repository, blob.descriptor.digest, first!);
    await pusher.pushManifest(repository, 'latest', image.bytes, image.descriptor.mediaType);
  });

  const big = SCALE.bigRepository;
  // The layer is the same for every tag manifest (blobs[1]); each config is new.
  await pusher.pushBlob(big, tagManifests[0]!.blobs[1]!.bytes);
  await mapLimit(tagManifests, concurrency, (manifest) => pusher.pushBlob(big, manifest.blobs[0]!.bytes));
  await mapLimit(SCALE.tags, concurrency, (tag, index) => {
    const manifest = tagManifests[index % DISTINCT_MANIFESTS]!;
    return pusher.pushManifest(big, tag, manifest.bytes, manifest.descriptor.mediaType);
  });

  return {
    registry: target.host,
    durationMs: Date.now() - started,
    repositoryCount: SCALE.repositories.length,
    tagCount: SCALE.tags.length,
    repositoryManifest: image.descriptor.digest,
  };
}

/** An anonymous registry holding the scale content, from its snapshot when there is one. */
export async function startScaleRegistry(
  options: Omit<RegistryOptions, 'mode' | 'copyStorageFrom'> = {},
): Promise<{ registry: RunningRegistry; seed: ScaleSeedResult; fromSnapshot: boolean }> {
  const started = await startSnapshottedRegistry(
    'scale-',
    scaleContentKey,
    (host) => seedScaleRegistry({ host }),
    options,
  );
  return {
    registry: started.registry,
    seed: { ...started.result, registry: started.registry.host },
    fromSnapshot: started.fromSnapshot,
  };
}
