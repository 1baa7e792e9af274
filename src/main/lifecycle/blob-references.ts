/**
 * Which blobs each tagged manifest of a registry keeps stored, with their sizes, read from the one
 * registry index (no registry request; refresh the index first through `RegistryBrowser.index`). Storage
 * usage sums these; retention asks what removing some manifests leaves referenced by nothing.
 *
 * A blob is stored once per registry and lives while any manifest of any repository references it: that
 * is how distribution's garbage collection marks (registry/storage/garbagecollect.go), so a blob shared
 * with another repository is never freed by deleting from one.
 */
import type { BlobSize, DigestSummary, RegistryIndex } from '../registry/index/registry-index';
import { summaryComplete } from '../registry/index/registry-index';

export interface BlobReferences {
  host: string;
  /** Repository -> tag -> the digest the index last saw it at (tags without a known digest are left out). */
  tags: Map<string, Map<string, string>>;
  /** Manifest digest -> every blob it keeps stored, itself included (complete summaries only). */
  blobs: Map<string, BlobSize[]>;
  /** The summaries read, by digest (children of indexes, lineage fields...). */
  summaries: Map<string, DigestSummary>;
  /** Repository -> tags listed whose digest or blob sizes the index lacks (a refresh reads them). */
  pending: Map<string, number>;
}

/** A manifest in a repository: what retention deletes and what keeps blobs alive. */
export interface ManifestInRepository {
  repository: string;
  digest: string;
}

/** Reads every repository, tag and manifest summary the index holds for a registry host. */
export async function readBlobReferences(index: RegistryIndex, host: string): Promise<BlobReferences> {
  const tags = new Map<string, Map<string, string>>();
  const pending = new Map<string, number>();
  for (const repository of await index.repositories(host)) {
    const listed = await index.tags(host, repository);
    const known = new Map([...listed].filter(([, digest]) => digest !== ''));
    tags.set(repository, known);
    pending.set(repository, listed.size - known.size);
  }
  const digests = new Set([...tags.values()].flatMap((byTag) => [...byTag.values()]));
  const summaries = await index.summaries([...digests]);
  // The children of indexes too, where the index has them (retention deletes a platform apart).
  const childDigests = [...summaries.values()].flatMap((summary) =>
    childManifests(summary.digest, summary.blobs ?? []),
  );
  for (const [digest, summary] of await index.summaries(childDigests.filter((digest) => !summaries.has(digest))))
    summaries.set(digest, summary);
  const blobs = new Map<string, BlobSize[]>();
  for (const [digest, summary] of summaries) if (summaryComplete(summary)) blobs.set(digest, summary.blobs ?? []);
  // A tag whose summary is missing or from an older Berth is not counted yet.
  for (const [repository, byTag] of tags) {
    let unknown = 0;
    for (const [tag, digest] of byTag)
      if (!blobs.has(digest)) {
        byTag.delete(tag);
        unknown++;
      }
    pending.set(repository, (pending.get(repository) ?? 0) + unknown);
  }
  return { host, tags, blobs, summaries, pending };
}

/** The child manifests an index's blobs name (none for an image). */
function childManifests(digest: string, blobs: readonly BlobSize[]): string[] {
  return blobs.filter((blob) => blob.kind === 'manifest' && blob.digest !== digest).map((blob) => blob.digest);
}

/** The distinct manifests of each repository (tags sharing a digest count once). */
export function manifestsByRepository(references: BlobReferences): Map<string, Set<string>> {
  return new Map([...references.tags].map(([repository, byTag]) => [repository, new Set(byTag.values())]));
}

/** Blob digest -> the repositories whose tagged manifests reference it. */
export function blobRepositories(references: BlobReferences): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const [repository, digests] of manifestsByRepository(references))
    for (const digest of digests)
      for (const blob of references.blobs.get(digest) ?? []) {
        let set = owners.get(blob.digest);
        if (!set) owners.set(blob.digest, (set = new Set()));
        set.add(repository);
      }
  return owners;
}

/**
 * The blobs that no manifest references any more once `removed` are deleted (every other tagged manifest of
 * the registry is kept), and their bytes. Deleting an index leaves its child manifests in the repository
 * (distribution keeps untagged manifests unless GC runs with --delete-untagged), so their blobs stay
 * unless the children are in `removed` too. Manifests the index never saw untagged (a tag's earlier
 * digests) are not known here and are assumed gone. `unknown` lists removed digests, or surviving children,
 * whose blobs the index has no sizes for (counted as kept: the figure errs low, never high).
 */
export function unreferencedAfter(
  references: BlobReferences,
  removed: Iterable<ManifestInRepository>,
): { bytes: number; blobs: BlobSize[]; unknown: string[] } {
  const key = (repository: string, digest: string) => `${repository}\u0000${digest}`;
  const pairs = [...removed];
  const gone = new Set(pairs.map(({ repository, digest }) => key(repository, digest)));
  const live = new Set<string>();
  const unknown = new Set<string>();
  const keep = (blobs: readonly BlobSize[]) => {
    for (const blob of blobs) live.add(blob.digest);
  };
  for (const [repository, digests] of manifestsByRepository(references))
    for (const digest of digests) if (!gone.has(key(repository, digest))) keep(references.blobs.get(digest) ?? []);
  for (const { repository, digest } of pairs) {
    const blobs = references.blobs.get(digest);
    if (!blobs) continue;
    const children = childManifests(digest, blobs);
    const surviving = children.filter((child) => !gone.has(key(repository, child)));
    // Every child stays: so does everything below the index, exactly.
    if (children.length > 0 && surviving.length === children.length)
      keep(blobs.filter((blob) => blob.digest !== digest));
    else
      for (const child of surviving) {
        const own = references.blobs.get(child);
        if (own) keep(own);
        else {
          // Without the child's own list, everything below the index is kept.
          keep(blobs.filter((blob) => blob.digest !== digest));
          unknown.add(child);
        }
      }
  }
  const freed = new Map<string, BlobSize>();
  const inRemovedIndex = new Set(
    pairs.flatMap(({ digest }) => childManifests(digest, references.blobs.get(digest) ?? [])),
  );
  for (const { digest } of pairs) {
    const blobs = references.blobs.get(digest);
    if (!blobs) {
      // A child of a removed index is counted through the index.
      if (!inRemovedIndex.has(digest)) unknown.add(digest);
      continue;
    }
    for (const blob of blobs) if (!live.has(blob.digest)) freed.set(blob.digest, blob);
  }
  const blobs = [...freed.values()];
  return { bytes: blobs.reduce((sum, blob) => sum + blob.size, 0), blobs, unknown: [...unknown] };
}
