/**
 * Storage usage from blob references (pure): per repository and namespace the bytes its tagged manifests
 * keep stored, the part only it references (unique, what deleting it could free) and the part it shares,
 * plus the dedup ratio and the biggest images and layers. Harbor's numbers mix these up
 * (goharbor/harbor#18991 asks for unique vs shared); here each is one definition, in
 * src/shared/types/storage.ts.
 */
import type {
  ImageUsage,
  LayerUsage,
  NamespaceUsage,
  RepositoryUsage,
  StorageUsage,
  UsageFigures,
} from '../../shared/types/storage';
import { blobRepositories, type BlobReferences } from './blob-references';

/** Rows kept in the biggest images and layers lists. */
const BIGGEST = 10;

function sumSizes(blobs: Iterable<{ size: number }>): number {
  let total = 0;
  for (const blob of blobs) total += blob.size;
  return total;
}

/** The namespaces a repository name is under: `a/b/c` -> `a`, `a/b`. */
export function namespacesOf(repository: string): string[] {
  const parts = repository.split('/');
  return parts.slice(0, -1).map((_, position) => parts.slice(0, position + 1).join('/'));
}

export function inNamespace(repository: string, namespace: string): boolean {
  return namespace === '' || repository.startsWith(`${namespace}/`);
}

export function computeUsage(
  references: BlobReferences,
  scope: { registryId: string; namespace: string },
): StorageUsage {
  const owners = blobRepositories(references);
  const sizes = new Map<string, number>();
  for (const blobs of references.blobs.values()) for (const blob of blobs) sizes.set(blob.digest, blob.size);
  const inScope = [...references.tags.keys()].filter((name) => inNamespace(name, scope.namespace)).sort();

  /** The figures of a group of repositories, unique meaning "referenced by no repository outside it". */
  const figures = (members: readonly string[]): UsageFigures => {
    const group = new Set(members);
    const blobs = new Set<string>();
    let tags = 0;
    let logicalBytes = 0;
    for (const repository of members)
      for (const digest of references.tags.get(repository)?.values() ?? []) {
        tags++;
        const manifestBlobs = references.blobs.get(digest) ?? [];
        logicalBytes += sumSizes(manifestBlobs);
        for (const blob of manifestBlobs) blobs.add(blob.digest);
      }
    let bytes = 0;
    let uniqueBytes = 0;
    for (const digest of blobs) {
      const size = sizes.get(digest) ?? 0;
      bytes += size;
      if ([...(owners.get(digest) ?? [])].every((owner) => group.has(owner))) uniqueBytes += size;
    }
    return {
      tags,
      bytes,
      uniqueBytes,
      sharedBytes: bytes - uniqueBytes,
      logicalBytes,
      dedupRatio: bytes > 0 ? logicalBytes / bytes : 1,
    };
  };

  const repositories: RepositoryUsage[] = inScope.map((name) => ({
    name,
    ...figures([name]),
    pendingTags: references.pending.get(name) ?? 0,
  }));
  const namespaceNames = new Set(
    inScope
      .flatMap((name) => namespacesOf(name))
      .filter((name) => name !== scope.namespace && inNamespace(name, scope.namespace)),
  );
  const images: ImageUsage[] = [];
  for (const repository of inScope) {
    const byDigest = new Map<string, string[]>();
    for (const [tag, digest] of references.tags.get(repository) ?? [])
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
    for (const [digest, tags] of byDigest)
      images.push({ repository, digest, tags: tags.sort(), bytes: sumSizes(references.blobs.get(digest) ?? []) });
  }
  images.sort(
    (a, b) => b.bytes - a.bytes || a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest),
  );

  const namespaces: NamespaceUsage[] = [...namespaceNames].sort().map((name) => {
    const members = inScope.filter((repository) => inNamespace(repository, name));
    return {
      name,
      repositories: members.length,
      ...figures(members),
      biggestImages: images.filter((image) => inNamespace(image.repository, name)).slice(0, BIGGEST),
    };
  });

  const layers = new Map<string, LayerUsage>();
  for (const repository of inScope)
    for (const digest of new Set(references.tags.get(repository)?.values() ?? []))
      for (const blob of references.blobs.get(digest) ?? [])
        if (blob.kind === 'layer' && !layers.has(blob.digest))
          layers.set(blob.digest, {
            digest: blob.digest,
            size: blob.size,
            repositories: owners.get(blob.digest)?.size ?? 0,
          });
  const biggestLayers = [...layers.values()].sort((a, b) => b.size - a.size || a.digest.localeCompare(b.digest));

  const total = figures(inScope);
  return {
    registryId: scope.registryId,
    registry: references.host,
    namespace: scope.namespace,
    ...total,
    totalBytes: total.bytes,
    repositories,
    namespaces,
    biggestImages: images.slice(0, BIGGEST),
    biggestLayers: biggestLayers.slice(0, BIGGEST),
    pendingTags: repositories.reduce((sum, repository) => sum + repository.pendingTags, 0),
  };
}
