/** Domain types of the registry core (OCI distribution spec, Docker registry v2 dialect). */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface RateLimitInfo {
  /** Docker Hub's `ratelimit-limit` / `ratelimit-remaining`; absent elsewhere. */
  limit?: number;
  remaining?: number;
  windowSeconds?: number;
  observedAt: string;
}

export interface RepositoryList {
  registry: string;
  repositories: string[];
}

export interface TagList {
  name: string;
  tags: string[];
}

export interface HistoryStep {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
  /** Index into the manifest's layers, when this step produced a layer. */
  layerIndex?: number;
}

export interface LayerSummary {
  digest: string;
  size: number;
  mediaType: string;
  /** Uncompressed digest from the config's rootfs.diff_ids, same position. */
  diffId?: string;
  createdBy?: string;
  created?: string;
}

export interface ImageConfigSummary {
  digest: string;
  created?: string;
  author?: string;
  platform: Platform;
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  user?: string;
  workingDir?: string;
  exposedPorts: string[];
  volumes: string[];
  labels: Record<string, string>;
  stopSignal?: string;
  history: HistoryStep[];
}

export type ManifestKind = 'oci-index' | 'docker-list' | 'oci-manifest' | 'docker-v2' | 'docker-schema1' | 'artifact';

export interface ManifestInfo {
  /** The reference as the user gave it, normalised (`registry/repo:tag` or `@digest`). */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
  mediaType: string;
  kind: ManifestKind;
  size: number;
  /** Schema 1 manifests can be read but never written or promoted. */
  deprecated?: boolean;
  /** For an index or list: its children. */
  manifests?: Descriptor[];
  /** For an image manifest. */
  config?: Descriptor;
  layers?: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** The manifest bytes exactly as served, as UTF-8 text (manifests are JSON). */
  raw: string;
}

export interface ImageDetails {
  manifest: ManifestInfo;
  /** When `manifest` is an index, the platform manifest that was selected (if any). */
  platformManifest?: ManifestInfo;
  config?: ImageConfigSummary;
  layers: LayerSummary[];
  compressedSize: number;
  /** Sum of the config's layer sizes when known (uncompressed sizes are only known after indexing). */
  uncompressedSize?: number;
}

export type ReferrerType = 'signature' | 'sbom' | 'attestation' | 'other';

export interface Referrer {
  digest: string;
  mediaType: string;
  artifactType: string;
  type: ReferrerType;
  size: number;
  annotations?: Record<string, string>;
}

/** What the tag table needs per tag: fetched in the background, cached by digest. */
export interface TagDetail {
  tag: string;
  digest: string;
  mediaType: string;
  created?: string;
  /** Compressed size: manifest + config + layers (for an index: of the first platform). */
  size?: number;
  platforms?: Platform[];
  error?: string;
  /**
   * From the cache only (`cachedOnly`): the tag had this digest when last checked and may have moved since.
   * The UI shows and sorts it at once, and asks again without `cachedOnly` to revalidate.
   */
  stale?: boolean;
}

/** A repository or a tag the registry index found for a search query. */
export interface SearchHit {
  registryId: string;
  repository: string;
  tag?: string;
}

/** What `registry.index` did for one registry. */
export interface RegistryIndexResult {
  registryId: string;
  /** The registry host. */
  registry: string;
  repositories: number;
  tags: number;
  /** Repositories that could not be read (denied, gone...), with why; the rest were indexed. */
  skipped: { repository: string; error: string }[];
}

/**
 * Berth changed a registry (promotion, push, delete, retention, sync): what a view showing that
 * registry should read again. `tags` are the tags written or removed (empty for a manifest put by digest).
 */
export interface RegistryChange {
  registryId: string;
  host: string;
  repository: string;
  tags: string[];
}
