/** Promotion (copy a tag keeping its digest) types. */

export interface BlobStep {
  digest: string;
  size: number;
  mediaType: string;
  action: 'present' | 'mount' | 'copy';
}

export interface ManifestStep {
  digest: string;
  mediaType: string;
  /** Tag to write, or undefined for a by-digest child manifest. */
  tag?: string;
  platform?: string;
}

export interface PromotionPlan {
  source: string;
  target: string;
  sourceDigest: string;
  /** The digest the target tag will have (equals sourceDigest unless a platform subset makes a new index). */
  targetDigest: string;
  strategy: 'same-repository' | 'mount' | 'copy' | 'engine';
  blobs: BlobStep[];
  manifests: ManifestStep[];
  referrers: string[];
  bytesToCopy: number;
  /** The target tag's current digest, if the tag exists. */
  existingTargetDigest?: string;
  /** True when the target tag exists with another digest: refused unless `force`. */
  overwrites: boolean;
}

export interface PromotionResult {
  source: string;
  target: string;
  digest: string;
  blobsMounted: number;
  blobsCopied: number;
  bytesCopied: number;
  skipped: number;
  referrersCopied: number;
}

export interface PromotionLane {
  name: string;
  /** Ordered stages, e.g. [{ registryId, namespace: 'dev/' }, { ..., namespace: 'test/' }]. */
  stages: { name: string; registryId: string; namespace: string }[];
  /** Tag rewrite rules applied on promotion: regex -> replacement, e.g. `^(.*)-rc\\d+$` -> `$1`. */
  tagRewrites: { from: string; to: string }[];
}

export interface AuditEntry {
  at: string;
  user: string;
  source: string;
  target: string;
  digest: string;
  outcome: 'success' | 'failure' | 'refused';
  message?: string;
  blobsMounted?: number;
  blobsCopied?: number;
  bytesCopied?: number;
}
