/**
 * The bytes a set of manifest deletions makes unreferenced in a registry: the deleted manifests' own blobs,
 * configs and layers that no remaining manifest in ANY repository of the registry uses. This is what
 * distribution's garbage collector (without `--delete-untagged`) would remove: it marks every manifest
 * revision of every repository and what it references, and sweeps the rest of the blob store
 * (https://distribution.github.io/distribution/about/garbage-collection/). The registry's tags and digests
 * come from the one registry index, refreshed through its own indexer; the manifests by digest from the
 * client's cache. Untagged manifests are invisible through the API: they keep their blobs from GC, so a blob
 * only they share is counted here although GC keeps it (said in the plan's notes when it can matter).
 */
import type { RegistryBrowser } from '../registry/browser';
import type { RegistryClient } from '../registry/client';
import { imageParts, indexEntries, type Manifest } from '../registry/manifest';
import { mapBounded } from '../util/async';

export interface ManifestDeletion {
  repository: string;
  digest: string;
}

const key = (repository: string, digest: string) => `${repository}@${digest}`;

export async function unreferencedBytes(
  browser: RegistryBrowser,
  registry: string,
  deletions: readonly ManifestDeletion[],
  signal?: AbortSignal,
): Promise<{ bytes: number; skipped: string[] }> {
  const result = await browser.index(registry, { details: true, ...(signal ? { signal } : {}) });
  const index = await browser.registryIndex();
  const deleted = new Set(deletions.map((entry) => key(entry.repository, entry.digest)));
  const client: RegistryClient = browser.client;
  const options = signal ? { signal } : {};
  const manifestOf = (repository: string, digest: string): Promise<Manifest> =>
    client.getManifest({ registry, repository, digest }, options);

  const remaining: ManifestDeletion[] = [];
  for (const repository of await index.repositories(registry))
    for (const digest of new Set((await index.tagDigests(registry, repository)).values()))
      if (!deleted.has(key(repository, digest))) remaining.push({ repository, digest });

  const kept = new Set<string>();
  /** Marks an index's platform manifests (revisions of the repository too) and what they reference. */
  const markEntries = async (repository: string, manifest: Manifest): Promise<void> => {
    for (const entry of indexEntries(manifest)) await mark(repository, await manifestOf(repository, entry.digest));
  };
  /** Marks a manifest and what it references, as the collector does. */
  const mark = async (repository: string, manifest: Manifest): Promise<void> => {
    kept.add(manifest.digest);
    const parts = imageParts(manifest);
    if (parts) for (const blob of [parts.config, ...parts.layers]) kept.add(blob.digest);
    await markEntries(repository, manifest);
  };
  await mapBounded(remaining, 8, signal, async ({ repository, digest }) =>
    mark(repository, await manifestOf(repository, digest)),
  );
  const freed = new Map<string, number>();
  await mapBounded([...deletions], 8, signal, async ({ repository, digest }) => {
    const manifest = await manifestOf(repository, digest);
    // A deleted index leaves its platform manifests behind as revisions: they and their blobs stay.
    await markEntries(repository, manifest);
    freed.set(manifest.digest, manifest.size);
    const parts = imageParts(manifest);
    if (parts) for (const blob of [parts.config, ...parts.layers]) freed.set(blob.digest, blob.size);
  });
  let bytes = 0;
  for (const [digest, size] of freed) if (!kept.has(digest)) bytes += size;
  return { bytes, skipped: result.skipped.map((entry) => entry.repository) };
}
