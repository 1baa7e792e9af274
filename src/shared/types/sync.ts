/** Sync (replication) types: rules, the per-tag plan and what a run did. */

/**
 * `copy` never overwrites a target tag that holds another digest (it is reported `differs` and left alone);
 * `mirror` overwrites it, and deletes target tags gone at the source only when `delete` is set.
 */
export type SyncMode = 'copy' | 'mirror';

export interface SyncRule {
  /** Unique among the stored rules. */
  name: string;
  /**
   * `host/namespace/` (every repository below it), `host/repository`, or `host/glob` (`host/team-*\/app`).
   * A path without a trailing slash is a repository when it has tags, else a namespace.
   */
  source: string;
  /** `host/namespace/` or `host/repository`: the source's namespace part is replaced by this one. */
  target: string;
  /**
   * Tag filter: a glob (`prod-*`), a regular expression between slashes (`/^v\d+$/`), or a semver range
   * after `semver:` (`semver:>=1.2 <2`). Every tag when absent.
   */
  tags?: string;
  /** Keep only the newest N matching tags per repository: by semver when they all parse, else by date. */
  latest?: number;
  /** Only these platforms of multi-platform images (`linux/amd64`); every platform when absent. */
  platforms?: string[];
  /** Signatures, attestations, SBOMs and other referrers go along (default true, as in promotion). */
  referrers: boolean;
  mode: SyncMode;
  /** Mirror mode only: delete target tags that are gone at the source. */
  delete: boolean;
}

/**
 * `new`: absent at the target; `same`: equal digest, nothing to do; `differs`: another digest, left alone
 * (copy mode); `overwrite`: another digest, replaced (mirror mode); `delete`: gone at the source (mirror
 * with delete).
 */
export type SyncAction = 'new' | 'same' | 'differs' | 'overwrite' | 'delete';

export interface SyncTagPlan {
  /** The target repository. */
  repository: string;
  sourceRepository: string;
  tag: string;
  action: SyncAction;
  /** The digest the target tag gets (for `delete`: the digest it has now; for `differs`: the source's). */
  digest: string;
  /** The source tag's digest when planned (absent for `delete`): a run of this plan refuses the tag if it moved. */
  sourceDigest?: string;
  /** The target tag's digest now, when it exists (a run of this plan refuses the tag if it changed). */
  targetDigest?: string;
  /** The lane-stage gates this write fails, in one sentence: not written unless the run overrides them. */
  gated?: string;
  /** Set for a tag carried along as a signature / attestation / SBOM / referrers index of a synced image. */
  artifactOf?: string;
  /** Blobs and bytes this tag would move (0 for `same`, `differs` and `delete`). */
  blobsToCopy: number;
  blobsToMount: number;
  bytesToCopy: number;
}

export interface SyncPlan {
  /** The rule as planned (normalised). */
  rule: SyncRule;
  /** Registry hosts of source and target. */
  sourceRegistry: string;
  targetRegistry: string;
  tags: SyncTagPlan[];
  /**
   * Hash of the rule and every tag's decision (source digest, target digest or absence, action): `sync.run`
   * given this plan checks it and runs exactly these decisions.
   */
  planHash: string;
  /** Totals after existence checks at the target and across tags (each blob counted once per target registry). */
  blobsToCopy: number;
  blobsToMount: number;
  bytesToCopy: number;
  notes: string[];
}

export interface SyncFailure {
  repository: string;
  tag: string;
  message: string;
  code: string;
}

export interface SyncResult {
  tags: SyncTagPlan[];
  blobsCopied: number;
  blobsMounted: number;
  bytesCopied: number;
  manifestsWritten: number;
  /** Tags whose write (or delete) failed, each named; the rest of the run went on. */
  failures: SyncFailure[];
  durationMs: number;
}
