/** Promotion (copy a tag keeping its digest) types. */

/**
 * What happens to one blob: already at the target; cross-repository mount (same registry, no bytes through
 * Berth); streamed copy; or `external` (a foreign layer with `urls`, served from outside registries and
 * never copied, as Docker and skopeo do).
 */
export type BlobAction = 'present' | 'mount' | 'copy' | 'external';

export interface BlobStep {
  digest: string;
  size: number;
  mediaType: string;
  action: BlobAction;
}

export interface ManifestStep {
  digest: string;
  mediaType: string;
  size: number;
  /** `present`: the target repository already holds it; `put`: it will be written. */
  action: 'present' | 'put';
  /** What it is: a platform image, a (possibly new) index, or a referrer (signature, SBOM...). */
  role: 'image' | 'index' | 'referrer';
  /** Tag to write, or undefined for a by-digest manifest. */
  tag?: string;
  platform?: string;
}

export type PromotionStrategy = 'same-repository' | 'mount' | 'copy' | 'engine';

/**
 * Whether the account Berth signs in with may push to the target, found before anything is written.
 * `granted` / `denied`: the target's token service said so when asked for the push scope. `unchecked`: it
 * cannot be known without writing (Basic sign-in, a registry without sign-in, a token that does not say what
 * it grants); the message says which.
 */
export interface PushAccess {
  status: 'granted' | 'denied' | 'unchecked';
  /** The target registry's username, when Berth signs in with one. */
  user?: string;
  /** One sentence for the plan: "bob may pull but not push to prod/app. …" */
  message: string;
}

export interface PromotionPlan {
  /** The source as a label: `registry/repo:tag` (`:latest` when none was given), or `registry/repo@digest` for a source without a tag. */
  source: string;
  /**
   * The source pinned to `sourceDigest`: `registry/repo:tag@digest` (or `registry/repo@digest`). Executing
   * this runs exactly this plan's image, and is refused (code `conflict`, details.reason `source_moved`) if
   * the tag points elsewhere by then; executing the bare tag would copy whatever it points at when run.
   */
  pinnedSource: string;
  /** Normalised target reference (`registry/repo:tag`). */
  target: string;
  /** The digest the source reference resolves to (for an index, the index's own digest). */
  sourceDigest: string;
  /** The digest the target tag will have (equals sourceDigest unless a platform subset makes a new index). */
  targetDigest: string;
  strategy: PromotionStrategy;
  /** Every blob of every manifest to write, each digest once. */
  blobs: BlobStep[];
  /** In write order: child manifests first, the tagged manifest last. */
  manifests: ManifestStep[];
  /** Digests of the referrer manifests that will be carried along (when asked). */
  referrers: string[];
  /** Platforms carried, for an index (`linux/amd64`...); empty for a single-platform image. */
  platforms: string[];
  bytesToCopy: number;
  /** The target tag's current digest, if the tag exists. */
  existingTargetDigest?: string;
  /** True when the target tag exists with another digest: refused unless `force`. */
  overwrites: boolean;
  /** The target tag already has `targetDigest` and every part is there: nothing to write. */
  upToDate: boolean;
  /** Things the confirmation dialog should say (engine path caveats, declined options). */
  notes: string[];
  /** Whether the target accepts this account's push, as far as can be known before writing. */
  pushAccess: PushAccess;
  /** The gates of the target's lane stage, evaluated on the source; empty when it has none. */
  gates: GateResult[];
}

export interface PromotionResult {
  source: string;
  /** The source digest that was promoted (the one the plan pinned). */
  sourceDigest: string;
  target: string;
  /** The digest the target tag has now. */
  digest: string;
  strategy: PromotionStrategy;
  blobsMounted: number;
  blobsCopied: number;
  bytesCopied: number;
  /** Blobs already at the target, not transferred again. */
  skipped: number;
  manifestsWritten: number;
  referrersCopied: number;
  durationMs: number;
}

export interface TagRewrite {
  /** A regular expression matched against the tag, e.g. `^(.*)-rc\\d+$`. */
  from: string;
  /** The replacement, with `$1`-style groups, e.g. `$1`. */
  to: string;
  /** Apply only when promoting into this stage (by name); every step when absent. */
  toStage?: string;
}

/**
 * A condition an image must meet to enter a lane stage: a signature verified by a trust policy (by id or
 * name; the settings' policy for the source's registry and namespace when absent), no known vulnerability at
 * or above a severity, or an SBOM attached.
 */
export type StageGate =
  | { kind: 'signature'; policy?: string }
  | { kind: 'vulnerabilities'; severity: 'low' | 'medium' | 'high' | 'critical' }
  | { kind: 'sbom' };

export interface GateResult {
  gate: StageGate;
  /** The stage that declares it. */
  stage: string;
  passed: boolean;
  /** One sentence: what was checked and found. */
  message: string;
  /** For vulnerability gates: what the verdict rests on (verified attached reports, OSV matching, or nothing). */
  evidence?: ('attached' | 'osv')[];
}

export interface PromotionStage {
  name: string;
  registryId: string;
  namespace: string;
  /** Checked before anything is written to this stage; a failing gate blocks unless overridden with a reason. */
  gates?: StageGate[];
}

export interface PromotionLane {
  name: string;
  /** Ordered stages, e.g. [{ name: 'dev', registryId, namespace: 'dev/' }, { name: 'test', ..., namespace: 'test/' }]. */
  stages: PromotionStage[];
  /** Tag rewrite rules applied on promotion, the first matching rule wins. */
  tagRewrites: TagRewrite[];
}

export interface LaneStep {
  lane: string;
  /** The stage the source is in, and the one it goes to. */
  fromStage: string;
  stage: string;
  target: string;
}

export type AuditOutcome = 'success' | 'failure' | 'refused' | 'cancelled';

export interface AuditEntry {
  at: string;
  /** The OS user who ran Berth. */
  user: string;
  /** The target registry's username, when Berth knows it. */
  registryUser?: string;
  source: string;
  target: string;
  /** The digest written (or that would have been), when it was known. */
  digest?: string;
  strategy?: PromotionStrategy;
  outcome: AuditOutcome;
  /** What was written: absent for a promotion; `untag` or `delete` (by digest) for deletions (issue 16). */
  action?: 'untag' | 'delete';
  message?: string;
  blobsMounted?: number;
  blobsCopied?: number;
  bytesCopied?: number;
  skipped?: number;
  durationMs?: number;
  /** Gates that failed and were overridden, with the reason the user gave. */
  override?: { reason: string; gates: GateResult[] };
}
