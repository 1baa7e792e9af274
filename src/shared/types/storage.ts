/**
 * Storage usage of a registry, read from the registry index: which blobs the tagged manifests keep stored
 * and where. Sizes are the compressed sizes the registry stores (descriptor sizes), manifests included.
 */

/** Bytes of a group of repositories (one repository, a namespace, or the whole scope). */
export interface UsageFigures {
  /** Tags counted (with a digest and blob sizes in the index). */
  tags: number;
  /** Every distinct blob the group's tagged manifests reference, counted once. */
  bytes: number;
  /** Of `bytes`, blobs no repository outside the group references: what deleting the group could free. */
  uniqueBytes: number;
  /** `bytes - uniqueBytes`: blobs other repositories reference too. */
  sharedBytes: number;
  /** Every tag's image counted whole, as if nothing were shared. */
  logicalBytes: number;
  /** `logicalBytes / bytes` (1 when nothing is stored). */
  dedupRatio: number;
}

export interface RepositoryUsage extends UsageFigures {
  name: string;
  /** Tags the index lists without a digest or blob sizes yet (counted once a refresh reads them). */
  pendingTags: number;
}

/** A namespace: every repository whose name starts with `name/`, at any depth. */
export interface NamespaceUsage extends UsageFigures {
  name: string;
  repositories: number;
  /** Its own biggest images, for drilling in. */
  biggestImages: ImageUsage[];
}

export interface ImageUsage {
  repository: string;
  digest: string;
  tags: string[];
  /** Every blob of the image (all platforms of an index), counted once. */
  bytes: number;
}

export interface LayerUsage {
  digest: string;
  size: number;
  /** Repositories that reference it (in the whole registry). */
  repositories: number;
}

export interface StorageUsage extends UsageFigures {
  registryId: string;
  registry: string;
  /** The namespace asked for, or '' for the whole registry. */
  namespace: string;
  repositories: RepositoryUsage[];
  /** Every namespace under the scope (`a`, `a/b`...), for drilling down. */
  namespaces: NamespaceUsage[];
  totalBytes: number;
  biggestImages: ImageUsage[];
  biggestLayers: LayerUsage[];
  pendingTags: number;
}
