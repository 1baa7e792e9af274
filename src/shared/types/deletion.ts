/**
 * Deleting from registries (issue 16, parts 1 and 2): untag, delete by digest with its blast radius, and
 * retention plans. Every write goes plan -> show -> execute exactly that plan -> audit, as promotion does.
 */

/** What a registry lets Berth delete, found by probing (a DELETE of something that cannot exist). */
export interface DeleteCapabilities {
  registry: string;
  /** 404 on a digest that cannot exist = enabled; 405 UNSUPPORTED = disabled; anything else = unknown. */
  manifestDelete: 'enabled' | 'disabled' | 'unknown';
  /** The registry deletes a tag alone (OCI distribution spec 1.1 `DELETE /v2/<name>/manifests/<tag>`). */
  tagDelete: boolean;
  /** How a single tag is removed here (`vendor-api`: through Docker Hub's or Harbor's own API). */
  untagMethod: 'tag-delete' | 'placeholder-manifest' | 'vendor-api' | 'none';
  /** Set where deletes go through the registry's own API (the registry settings' kind), not /v2/. */
  api?: 'dockerhub' | 'harbor';
  /** One sentence for the user. */
  message: string;
}

/** An attached artifact (signature, attestation, SBOM) that would be left without its subject. */
export interface OrphanedReferrer {
  /** `host/repo:sha256-<hex>.sig` for a tag, `host/repo@sha256:…` for an OCI referrer. */
  reference: string;
  kind: string;
}

/** Everything a delete by digest touches, shown before the user confirms. */
export interface BlastRadius {
  registry: string;
  repository: string;
  digest: string;
  /** Every tag pointing at the digest: they all go with it. */
  tags: string[];
  orphanedReferrers: OrphanedReferrer[];
  /** Signature, attestation and SBOM tags (`sha256-<hex>.sig/.att/.sbom`) deleted together with the digest. */
  removedReferrers: OrphanedReferrer[];
  /** Indexes (multi-arch images) of the repository that list the digest as a platform: they break. */
  indexes: { digest: string; tags: string[]; platform?: string }[];
  /** Promotion lane stages that hold the digest; `last` marks the lane's final (prod) stage. */
  lanes: { lane: string; stage: string; last: boolean; tags: string[] }[];
}

/** One write of a deletion plan. `untag` removes `tag` alone; `delete` removes `digest` with exactly `tags`. */
export interface DeletionStep {
  registry: string;
  repository: string;
  action: 'untag' | 'delete';
  digest: string;
  /** untag: the tag (one); delete: every tag expected to point at the digest (checked before writing). */
  tags: string[];
}

export interface RemovePlan {
  steps: DeletionStep[];
  radius: BlastRadius[];
  capabilities: DeleteCapabilities[];
  warnings: string[];
}

/** The `berth rm --json` shape. References are `host/repo:tag` or `host/repo@digest`. */
export interface RemoveResult {
  untagged: string[];
  deletedDigests: string[];
  alsoRemovedTags: string[];
  orphanedReferrers: string[];
  /** Signature, attestation and SBOM tags deleted together with their subject. */
  removedReferrers: string[];
  /** Planned tags or digests that were already gone (counted as done). */
  alreadyGone: string[];
}

/** Retention rules; a tag is kept when any rule keeps it. Stored per repository or namespace. */
export interface RetentionPolicy {
  keepLast?: number;
  /** What "last" orders by (default: created date). */
  orderBy?: 'created' | 'semver';
  /** Globs (picomatch) on the tag name. */
  keep?: string[];
  /** Regular expressions on the tag name. */
  keepRegex?: string[];
  newerThanDays?: number;
  /** Keep tags pulled within this many days; only where the registry's API reports pull times (Harbor, Hub). */
  pulledWithinDays?: number;
}

export interface StoredRetentionPolicy {
  /** `host/repository` or `host/namespace/` (a trailing slash: every repository below). */
  scope: string;
  policy: RetentionPolicy;
}

export interface RetentionKeep {
  tag: string;
  rule: string;
  repository: string;
  digest: string;
}

export interface RetentionDelete {
  tag: string;
  digest: string;
  action: 'untag' | 'delete';
  rule: string;
  repository: string;
}

export interface RetentionPlan {
  /** Format of this object (a plan file from another version is refused). */
  version: 1;
  registry: string;
  /** What was asked for: `host/repo` or `host/namespace/`. */
  scope: string;
  repositories: string[];
  policy: RetentionPolicy;
  /** Without a policy given: each repository's stored policy (they may differ within a namespace). */
  repositoryPolicies?: { repository: string; policy: RetentionPolicy }[];
  createdAt: string;
  keep: RetentionKeep[];
  delete: RetentionDelete[];
  /** Blobs (manifests, configs, layers) that no kept manifest in any repository of the registry uses. */
  bytesFreed: number;
  orphanedReferrers: OrphanedReferrer[];
  /** Caveats on bytesFreed and the plan (e.g. untagged manifests Berth cannot see). */
  notes: string[];
  /** sha256 of the plan's content; apply refuses a plan whose content does not match it. */
  planHash: string;
}

export interface GcGuidance {
  /** Space returns only after the registry's garbage collection. */
  summary: string;
  steps: string[];
  warnings: string[];
  expectedReclaimBytes: number;
}

export interface RetentionResult {
  planHash: string;
  untagged: string[];
  deletedDigests: string[];
  alreadyGone: string[];
  gc: GcGuidance;
}
