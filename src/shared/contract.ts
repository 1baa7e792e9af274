/**
 * The one API contract between the UI and the main process. Every request the renderer can make is here
 * with its input schema (validated at the door by main, since the renderer is untrusted input) and its
 * result type; every event stream is in `EventMap`. The preload, the `serve` WebSocket transport and the
 * renderer's client are all derived from this file, so nothing is written twice.
 */
import { z } from 'zod';
import { planEntries } from './plan-entries';
import { PLATFORM_PATTERN } from './reference';
import type { AppInfo } from './types/app';
import type { OperationKind, OperationProgress } from './types/operations';
import type {
  ImageDetails,
  ManifestInfo,
  Referrer,
  RegistryChange,
  RegistryIndexResult,
  RepositoryList,
  SearchHit,
  TagDetail,
  TagList,
  RateLimitInfo,
} from './types/registry';
import { REGISTRY_KINDS, type DockerConfigCandidate, type RegistryStatus, type RegistryView } from './types/settings';
import {
  READ_FILE_DEFAULT_BYTES,
  READ_FILE_MAX_BYTES,
  type Efficiency,
  type FileContent,
  type ImageDiff,
  type LayerChange,
  type LayerIndex,
  type MergedEntry,
  type TextDiff,
} from './types/layers';
import type { EngineInfo, LocalImage, LocalImageDetails } from './types/docker';
import type { AuditEntry, LaneStep, PromotionLane, PromotionPlan, PromotionResult } from './types/promotion';
import { stageGatesSchema } from './gates';
import type { AttachedReports, OsvDatabaseInfo, VulnerabilityScan } from './types/vulns';
import type { StorageUsage } from './types/storage';
import { oneRule, syncPinnedPlanSchema, syncRequestFields, syncRulesSchema } from './sync-rules';
import type { SyncPlan, SyncResult, SyncRule } from './types/sync';
import type { DriftMatrix, MatrixRowsEvent } from './types/matrix';
import { trustOverrideSchema, trustPolicyInputSchema } from './trust-policy';
import type { Attestation, ImageTrust, ReferrersOverview, TagTrust, TrustPolicy } from './types/trust';
import type { DependentsResult, ImageLineage, LineageRefresh, StaleResult } from './types/lineage';
import { SBOM_FORMATS, type AttachedSbom, type PackageDiff, type PackageInventory } from './types/packages';
import {
  deletionStepSchema,
  retentionPlanSchema,
  retentionPolicySchema,
  storedRetentionPoliciesSchema,
} from './deletion-schemas';
import type {
  DeleteCapabilities,
  RemovePlan,
  RemoveResult,
  RetentionPlan,
  RetentionResult,
  StoredRetentionPolicy,
} from './types/deletion';

interface RequestSpec<I extends z.ZodType, R> {
  input: I;
  /** Phantom: carries the result type only. */
  result: R;
}

function request<R>() {
  return <I extends z.ZodType>(input: I): RequestSpec<I, R> => ({ input, result: undefined as R });
}

/** A request that reports `operation.progress` of `kind`, in the one sequence documented at `EventMap`. */
function reporting<R>(kind: OperationKind) {
  return <I extends z.ZodType>(input: I): RequestSpec<I, R> & { progress: OperationKind } => ({
    input,
    result: undefined as R,
    progress: kind,
  });
}

// Shared field schemas. Bounds keep hostile input from costing memory or time.
const text = (max = 512) => z.string().min(1).max(max);
const reference = text(1024).describe(
  'image reference: host[:port]/path[:tag][@digest], or a source like docker-daemon:NAME:TAG',
);
const digest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/, 'a digest like sha256:<64 hex>');
const platform = z.string().regex(PLATFORM_PATTERN, 'os/arch[/variant]');
const operationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/)
  .optional()
  .describe('client-chosen id for progress events and cancel');
const registryId = text(128);
const repository = text(256);
const environment = z.object({ role: text(64), namespace: z.string().max(256) });
const registryFields = {
  name: text(128),
  host: text(256),
  kind: z.enum(REGISTRY_KINDS),
  insecure: z.boolean(),
  caPath: z.string().max(4096).optional(),
  environments: z.array(environment).max(32),
  repositories: z.array(repository).max(10_000),
};
const lane = z.object({
  name: text(64),
  stages: z
    .array(z.object({ name: text(64), registryId, namespace: z.string().max(256), gates: stageGatesSchema.optional() }))
    .min(2)
    .max(16),
  tagRewrites: z.array(z.object({ from: text(256), to: z.string().max(256), toStage: text(64).optional() })).max(32),
});
const pinnableSource = reference.describe(
  "image reference; a plan's pinnedSource (host/path:tag@digest) runs exactly that plan, refused if the tag has moved since",
);
/** How a promotion runs; the same for a plan, an execution and a lane step. */
const promotionOptions = {
  platforms: z.array(platform).max(32).optional().describe('copy only these platforms of an index, as a new index'),
  withReferrers: z
    .boolean()
    .default(true)
    .describe("also copy signatures, attestations and SBOMs: referrers and cosign's .sig/.att/.sbom tags"),
  force: z.boolean().default(false).describe('overwrite a target tag that points at another digest'),
  viaEngine: z.boolean().default(false).describe('pull, tag and push through the local Docker engine'),
};
/** Runs a promotion whose target stage has failing gates; the reason goes to the audit log. */
const gateOverride = z
  .object({ reason: z.string().trim().min(3).max(1024) })
  .optional()
  .describe('promote despite failing gates, for this recorded reason');

/** Lineage scopes, `HOST` or `HOST/NAMESPACE` (parsed by shared/lineage-scope.ts in the service's handler). */
const lineageScopes = z.array(text(512)).max(32);
const lineageRefresh = z.boolean().default(true).describe('bring the registry index of the scopes up to date first');

export const contract = {
  // App
  'app.info': request<AppInfo>()(z.object({})),
  /** Plain-text diagnostics for bug reports: versions, engine, registries by kind, recent errors. No secrets. */
  'app.diagnostics': request<{ text: string }>()(z.object({})),
  'operations.cancel': request<{ cancelled: boolean }>()(
    z.object({ operationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  ),

  // Registries and credentials (settings; secrets go in, never come out)
  'registries.list': request<RegistryView[]>()(z.object({})),
  'registries.add': request<RegistryView>()(
    z
      .object(registryFields)
      .partial({ kind: true, insecure: true, environments: true, repositories: true, name: true }),
  ),
  'registries.update': request<RegistryView>()(
    z
      .object({ id: registryId, ...registryFields })
      .partial()
      .required({ id: true }),
  ),
  'registries.remove': request<{ removed: boolean }>()(z.object({ id: registryId })),
  'registries.status': request<RegistryStatus>()(z.object({ id: registryId })),
  'registries.dockerCandidates': request<DockerConfigCandidate[]>()(z.object({})),
  'registries.importDocker': request<RegistryView[]>()(z.object({ hosts: z.array(text(256)).max(256) })),
  'credentials.set': request<RegistryView>()(
    z.object({
      registryId,
      username: text(256),
      secret: z.string().min(1).max(16_384),
      verify: z.boolean().default(true),
      /** For a registry not in the list yet (`berth login HOST --insecure`): added as insecure once verified. */
      insecure: z.boolean().optional(),
    }),
  ),
  'credentials.test': request<RegistryStatus>()(z.object({ registryId })),
  'credentials.remove': request<RegistryView>()(z.object({ registryId })),

  // Registry browsing
  'registry.listRepositories': request<RepositoryList>()(z.object({ registryId })),
  'registry.listTags': request<TagList>()(z.object({ registryId, repository })),
  'registry.inspect': request<ImageDetails>()(z.object({ reference, platform: platform.optional() })),
  'registry.manifest': request<ManifestInfo>()(z.object({ reference })),
  'registry.referrers': request<Referrer[]>()(z.object({ reference })),
  'registry.tagDetails': reporting<TagDetail[]>('registry.tagDetails')(
    z.object({
      registryId,
      repository,
      tags: z.array(text(128)).max(10_000),
      /** Answer at once from the disk cache only (details marked `stale`), without asking the registry. */
      cachedOnly: z.boolean().default(false),
      operationId,
    }),
  ),
  'registry.rateLimit': request<RateLimitInfo | null>()(z.object({ registryId })),
  /**
   * Brings the registry index of one registry up to date (repositories and tags; with `details`, digests
   * and a summary per new digest), so search finds tags of repositories never opened. Cancellable.
   */
  'registry.index': reporting<RegistryIndexResult>('registry.index')(
    z.object({
      registryId,
      details: z
        .boolean()
        .default(false)
        .describe("also every tag's digest and a summary per new digest (a HEAD per known tag, a GET per new digest)"),
      operationId,
    }),
  ),
  'search.query': request<SearchHit[]>()(
    z.object({ query: z.string().max(256), limit: z.number().int().min(1).max(500).default(50) }),
  ),

  // Layers and image diffs (sources: docker://, docker-daemon:, docker-archive:, oci:)
  'layers.list': reporting<LayerChange[]>('layers.index')(
    z.object({ reference, platform: platform.optional(), operationId }),
  ),
  'layers.index': reporting<LayerIndex>('layers.index')(
    z.object({
      reference,
      layerDigest: digest.describe('the layer blob digest, or its diffID'),
      platform: platform.optional(),
      operationId,
    }),
  ),
  'images.ls': reporting<MergedEntry[]>('layers.index')(
    z.object({
      reference,
      path: z.string().max(4096).default('/'),
      upToLayer: z.number().int().min(0).optional(),
      recursive: z.boolean().default(false),
      platform: platform.optional(),
      operationId,
    }),
  ),
  'images.readFile': reporting<FileContent>('layers.index')(
    z.object({
      reference,
      path: text(4096),
      maxBytes: z.number().int().min(1).max(READ_FILE_MAX_BYTES).default(READ_FILE_DEFAULT_BYTES),
      platform: platform.optional(),
      operationId,
    }),
  ),
  'images.diff': reporting<ImageDiff>('layers.index')(
    z.object({ a: reference, b: reference, platform: platform.optional(), operationId }),
  ),
  'images.textDiff': reporting<TextDiff>('layers.index')(
    z.object({ a: reference, b: reference, path: text(4096), platform: platform.optional(), operationId }),
  ),
  'images.efficiency': reporting<Efficiency>('layers.index')(
    z.object({
      reference,
      platform: platform.optional(),
      limit: z.number().int().min(1).max(10_000).default(500).describe('wasted paths listed, largest first'),
      operationId,
    }),
  ),

  // Local Docker engine
  'docker.engine': request<EngineInfo>()(z.object({})),
  'docker.setEngine': request<EngineInfo>()(
    z.object({
      host: z.string().max(4096).nullable(),
      allowInsecureRemote: z
        .boolean()
        .optional()
        .describe('the user confirmed a remote engine over plain TCP (no TLS); refused without'),
    }),
  ),
  'docker.images': request<LocalImage[]>()(z.object({})),
  'docker.inspect': request<LocalImageDetails>()(z.object({ reference })),
  'docker.pull': reporting<{ reference: string; digest?: string }>('docker.pull')(z.object({ reference, operationId })),
  'docker.tag': request<{ source: string; target: string }>()(z.object({ source: reference, target: reference })),
  'docker.push': reporting<{ reference: string; digest?: string }>('docker.push')(z.object({ reference, operationId })),
  'docker.remove': request<{ removed: string[] }>()(z.object({ reference, force: z.boolean().default(false) })),

  // Promotion
  'promotion.plan': request<PromotionPlan>()(z.object({ source: reference, target: reference, ...promotionOptions })),
  'promotion.execute': reporting<PromotionResult>('promotion')(
    z.object({ source: pinnableSource, target: reference, ...promotionOptions, override: gateOverride, operationId }),
  ),
  'promotion.lanes': request<PromotionLane[]>()(z.object({})),
  'promotion.setLanes': request<PromotionLane[]>()(z.object({ lanes: z.array(lane).max(64) })),
  'promotion.next': reporting<LaneStep & { plan: PromotionPlan; result?: PromotionResult }>('promotion')(
    z.object({
      source: pinnableSource,
      lane: text(64).optional().describe('the only lane holding the source when absent'),
      execute: z.boolean().default(false),
      ...promotionOptions,
      override: gateOverride,
      operationId,
    }),
  ),
  'promotion.audit': request<AuditEntry[]>()(
    z.object({ limit: z.number().int().min(1).max(10_000).default(500), query: z.string().max(256).optional() }),
  ),

  // Sync (issue 17, part 1; owner SYNC): rules in the settings, a per-tag plan, a run on promotion's copy engine.
  // `sync.plan` and `sync.run` take a stored rule by name or a whole rule, plus optional exact tags (the matrix).
  // `sync.run` given a `plan` runs exactly it (a tag whose source or target moved since is refused, named);
  // `override` writes tags whose gates fail, the reason audited, as promotion does.
  'sync.rules': request<SyncRule[]>()(z.object({})),
  'sync.setRules': request<SyncRule[]>()(z.object({ rules: syncRulesSchema })),
  'sync.plan': request<SyncPlan>()(z.object(syncRequestFields).refine(oneRule, 'give either ruleName or rule')),
  'sync.run': reporting<SyncResult>('sync')(
    z
      .object({ ...syncRequestFields, plan: syncPinnedPlanSchema.optional(), override: gateOverride, operationId })
      .refine(oneRule, 'give either ruleName or rule'),
  ),

  // Drift matrix (issue 17, part 2; owner MATRIX): repositories x registries / namespaces / lane stages, read
  // from the registry index after refreshing it for exactly those repositories. Rows stream as `matrix.rows`.
  'matrix.build': reporting<DriftMatrix>('matrix')(
    z.object({
      columns: z
        .array(z.object({ registryId, namespace: z.string().max(256).default(''), name: text(128).optional() }))
        .max(16)
        .optional(),
      lane: text(64).optional().describe('a promotion lane: its stages are the columns'),
      repositories: text(256).default('**').describe('glob over repository names below each namespace'),
      tags: text(256).optional().describe('glob over tags'),
      driftOnly: z.boolean().default(false),
      reference: z.number().int().min(0).max(15).default(0).describe('the column the others are compared with'),
      operationId,
    }),
  ),

  // Storage usage (issue 16, part 3; owner USAGE): bytes per repository and namespace, unique vs shared,
  // computed from the one registry index after refreshing it (or from the index alone with refresh: false).
  'storage.usage': reporting<StorageUsage>('storage.usage')(
    z.object({
      registryId,
      namespace: z.string().max(256).default('').describe("'' for the whole registry"),
      refresh: z.boolean().default(true).describe('bring the registry index up to date first'),
      operationId,
    }),
  ),

  // Vulnerabilities (issue 15, part 3; owner VULN): offline OSV matching of the package inventory, and the
  // scan reports attached to an image (cosign vuln attestations, Trivy JSON, SARIF, CycloneDX VEX).
  'vulns.importDatabase': request<OsvDatabaseInfo>()(
    z.object({ path: text(4096).describe('a folder or zip of OSV JSON records') }),
  ),
  'vulns.database': request<{ database: OsvDatabaseInfo | null }>()(z.object({})),
  'vulns.scan': request<VulnerabilityScan>()(
    z.object({
      reference,
      db: text(4096).optional().describe('an OSV folder or zip; the imported database when absent'),
    }),
  ),
  'vulns.attached': request<AttachedReports>()(z.object({ reference })),

  // Lineage (issue 18; owner LIN): base detection by diff ID chains among the images of the scopes, the images
  // built on a base, and stale images (base tag moved), from the registry index refreshed for the scopes.
  'lineage.refresh': reporting<LineageRefresh>('lineage')(z.object({ scopes: lineageScopes.min(1), operationId })),
  'lineage.base': reporting<ImageLineage>('lineage')(
    z.object({
      reference,
      scopes: lineageScopes.default([]).describe("the reference's registry when empty"),
      platform: platform.optional(),
      refresh: lineageRefresh,
      operationId,
    }),
  ),
  'lineage.dependents': reporting<DependentsResult>('lineage')(
    z.object({ reference, scopes: lineageScopes.min(1), refresh: lineageRefresh, operationId }),
  ),
  'lineage.stale': reporting<StaleResult>('lineage')(
    z.object({ scopes: lineageScopes.min(1), refresh: lineageRefresh, operationId }),
  ),

  // Signatures (issue 15, part 1; owner SIG): find cosign / Sigstore bundle / Notation signatures on an image,
  // verify them against a trust policy (the settings' for the registry and namespace, or the request's).
  'trust.verify': request<ImageTrust>()(z.object({ reference, override: trustOverrideSchema.optional() })),
  'trust.attestations': request<Attestation[]>()(z.object({ reference })),
  'trust.referrers': request<ReferrersOverview>()(z.object({ reference })),
  'trust.tagStates': request<TagTrust[]>()(z.object({ registryId, repository, digests: z.array(digest).max(500) })),
  'trust.policies': request<TrustPolicy[]>()(z.object({})),
  // One policy per call (a new one has no id): the whole list in one frame would not fit the serve frame limit.
  'trust.savePolicy': request<TrustPolicy[]>()(z.object({ policy: trustPolicyInputSchema })),
  'trust.removePolicy': request<TrustPolicy[]>()(z.object({ id: z.string().min(1).max(128) })),

  // Packages (issue 15, part 2; owner PKG): the package inventory read from an image's layers without pulling
  // (dpkg, apk, npm, Python, rpm, Go), exported as CycloneDX 1.6 / SPDX 2.3 JSON, the package diff of two
  // images in each ecosystem's version order, and SBOM documents attached to an image.
  'packages.inventory': reporting<PackageInventory>('layers.index')(
    z.object({ reference, platform: platform.optional(), operationId }),
  ),
  'packages.diff': reporting<PackageDiff>('layers.index')(
    z.object({ a: reference, b: reference, platform: platform.optional(), operationId }),
  ),
  'packages.sbom': reporting<{ format: (typeof SBOM_FORMATS)[number]; document: unknown }>('layers.index')(
    z.object({ reference, format: z.enum(SBOM_FORMATS), platform: platform.optional(), operationId }),
  ),
  'packages.attached': request<{ sboms: AttachedSbom[]; problems: string[] }>()(z.object({ reference })),

  // Delete and retention (issue 16, parts 1 and 2; owner DEL): capabilities probed first, `berth rm` as a plan
  // with its blast radius then exactly that plan executed, retention plan / apply, stored retention policies.
  'lifecycle.capabilities': request<DeleteCapabilities>()(z.object({ registryId, repository })),
  'lifecycle.planRemove': request<RemovePlan>()(
    z.object({
      references: z.array(reference).min(1).max(1_000),
      digest: z.boolean().default(false).describe('delete the digest each reference points at, not the tag'),
      withReferrers: z
        .boolean()
        .default(true)
        .describe("also delete a deleted digest's sha256-<hex>.sig/.att/.sbom tags (they follow their subject)"),
    }),
  ),
  'lifecycle.remove': reporting<RemoveResult>('lifecycle.delete')(
    z.object({
      steps: planEntries(deletionStepSchema, 10_000).refine((steps) => steps.length > 0, 'at least one step'),
      orphanedReferrers: planEntries(text(1024), 100_000).default([]),
      operationId,
    }),
  ),
  'retention.plan': reporting<RetentionPlan>('lifecycle.delete')(
    z.object({
      scope: text(512).describe('host/repository or host/namespace/'),
      policy: retentionPolicySchema.optional().describe('absent: the stored policies covering each repository'),
      withReferrers: z.boolean().default(false).describe("also delete removed images' signature/attestation tags"),
      operationId,
    }),
  ),
  'retention.apply': reporting<RetentionResult>('lifecycle.delete')(
    z.object({ plan: retentionPlanSchema, operationId }),
  ),
  'retention.policies': request<StoredRetentionPolicy[]>()(z.object({})),
  'retention.setPolicies': request<StoredRetentionPolicy[]>()(z.object({ policies: storedRetentionPoliciesSchema })),
} as const;

export type Contract = typeof contract;
export type RequestName = keyof Contract;
export type RequestInput<K extends RequestName> = z.input<Contract[K]['input']>;
/** The input after validation and defaults, as handlers receive it. */
export type ValidInput<K extends RequestName> = z.output<Contract[K]['input']>;
export type RequestResult<K extends RequestName> = Contract[K]['result'];

export const REQUEST_NAMES = Object.keys(contract) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events pushed from main to the UI. */
export interface EventMap {
  /**
   * Progress of a request declared with `reporting(kind)`, under the caller's `operationId`, in one sequence
   * for every kind: no event until the work reports progress (a request that finishes without any, e.g. every
   * layer cached, sends none); then the first event at once and the others at most every
   * `PROGRESS_INTERVAL_MS` (src/main/api/progress.ts); then one final `done: true` event, never delayed:
   * status `Done` (current = total), `Failed` with `error`, or `Cancelled` with `error`. Details at
   * `OperationProgress`.
   */
  'operation.progress': OperationProgress;
  /** The desktop app received a `berth://PATH` link (second start, OS protocol handler). */
  'app.deepLink': { path: string };
  /** Berth wrote to a registry (from any window or request): views of it read again what it names. */
  'registry.changed': RegistryChange;
  /** One repository's rows of a running `matrix.build` (under its operationId), as soon as they are read. */
  'matrix.rows': MatrixRowsEvent;
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = ['operation.progress', 'app.deepLink', 'registry.changed', 'matrix.rows'];

/** The API as the renderer sees it: one async function per request, results or a thrown BerthError. */
export type BerthApi = {
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
};
