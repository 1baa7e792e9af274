/**
 * The layer engine's domain types: file entries, layer indexes, merged trees, image diffs, wasted space.
 * Paths are always absolute inside the image and normalised (`/etc/hostname`, no `./`, no trailing slash).
 * Whiteouts (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts) are shown by what they
 * hide: a `whiteout` entry has the hidden path, an `opaque` entry has the directory whose lower contents it hides.
 */

/** Where an image comes from, named like skopeo's transports. `docker` (a registry) is the default. */
export type ImageTransport = 'docker' | 'docker-daemon' | 'docker-archive' | 'oci';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'whiteout' | 'opaque';

export interface LayerEntry {
  /** Absolute path inside the image, normalised: `/etc/hostname`. */
  path: string;
  type: EntryType;
  /** Content bytes for files; for a hard link, the size of the file it links to (when known). */
  size: number;
  /** Permission bits including setuid/setgid/sticky (`0o4755`); the type is in `type`. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch (fractional when the tar has PAX times). */
  mtime: number;
  /** Symlink target as written (relative or absolute); hard link target as an absolute image path. */
  linkTarget?: string;
  /** sha256 hex of the content, computed while streaming: regular files, and hard links to a known file. */
  sha256?: string;
  /** Device numbers of `char` and `block` entries. */
  devMajor?: number;
  devMinor?: number;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerIndex {
  /** The blob digest as the image's source stores it (compressed for registries and OCI layouts). */
  digest: string;
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry), verified while indexing. */
  diffId: string;
  mediaType: string;
  compression: Compression;
  compressedSize: number;
  uncompressedSize: number;
  entries: LayerEntry[];
  /** Problems found in the tar (unsafe names like `../x` or `/abs`, unknown entry types), reported, never applied. */
  warnings: string[];
}

/**
 * The number a person sees for the layer (or history step) at zero-based `index`: the UI and the CLI count
 * from 1, the base layer being layer 1, while the API's fields (`layer`, `layerA`, `indexA`, `upToLayer`,
 * `firstDifference`...) stay zero-based indexes. One place converts, so no view counts differently.
 */
export function layerNumber(index: number): number {
  return index + 1;
}

export interface MergedEntry extends LayerEntry {
  /** Index (0 = base) of the layer the entry comes from. */
  layer: number;
  /** A directory no layer has an entry for, implied by a path below it. */
  implicit?: boolean;
}

/** One layer of an image as `berth layers` and the layer list show it. */
export interface LayerChange {
  layer: number;
  digest: string;
  diffId?: string;
  mediaType: string;
  /** Compressed size as stored (descriptor size). */
  compressedSize: number;
  createdBy?: string;
  created?: string;
  /** Paths this layer adds, changes or removes in the merged tree below it (directories included). */
  added: number;
  modified: number;
  removed: number;
  /** Sum of the sizes of the regular files in the layer. */
  sizeBytes: number;
  /** Entries of the layer's tar (whiteouts included). */
  entryCount: number;
}

export interface WastedPath {
  path: string;
  /** How many layers have a version of this path (dive's "count"), whiteouts included. */
  occurrences: number;
  /** Bytes of this path's versions that later layers overwrite or delete. */
  bytes: number;
  /** The wasted versions: the layer each lives in and its size. */
  layers: { layer: number; bytes: number }[];
}

export interface Efficiency {
  /** Bytes of files overwritten or deleted by later layers (the bytes an image ships but never shows). */
  wastedBytes: number;
  /** Sum of the file sizes of every layer. */
  totalBytes: number;
  /** `totalBytes` without the base layer: what the image's own steps added. */
  userSizeBytes: number;
  /**
   * 0..1, dive's efficiency score: over every path, the smallest version's size divided by the sum of all its
   * versions' sizes (a deletion counts the size it deletes), https://github.com/wagoodman/dive (filetree/efficiency.go).
   */
  score: number;
  /** Paths with wasted bytes, largest first (at most `limit` of them; `wastedPathCount` says how many exist). */
  wasted: WastedPath[];
  wastedPathCount: number;
}

export type ConfigDiffField =
  | 'env'
  | 'labels'
  | 'entrypoint'
  | 'cmd'
  | 'user'
  | 'workingDir'
  | 'exposedPorts'
  | 'platform'
  | 'volumes'
  | 'stopSignal'
  | 'author';

export interface ConfigDifference {
  field: ConfigDiffField;
  /** For `env` and `labels`: the variable or label name; one row per name that differs. */
  key?: string;
  /** The value in A and in B; null when absent on that side. */
  a: unknown;
  b: unknown;
}

export type FileAttribute = 'type' | 'content' | 'size' | 'mode' | 'owner' | 'linkTarget';

export interface FileChange {
  path: string;
  kind: 'added' | 'removed' | 'modified';
  sizeA?: number;
  sizeB?: number;
  /** What differs for a modified entry. */
  changes?: FileAttribute[];
}

export interface DiffFile {
  path: string;
  size: number;
  type: EntryType;
  /** Layer (index in its own image) the entry comes from. */
  layer: number;
}

/** A path present in both images whose entries differ; only the attributes that differ carry A/B values. */
export interface ModifiedFile {
  path: string;
  sizeA: number;
  sizeB: number;
  changes: FileAttribute[];
  layerA: number;
  layerB: number;
  typeA?: EntryType;
  typeB?: EntryType;
  sha256A?: string;
  sha256B?: string;
  modeA?: number;
  modeB?: number;
  /** `uid:gid` */
  ownerA?: string;
  ownerB?: string;
  linkTargetA?: string;
  linkTargetB?: string;
}

export interface LayerAlignment {
  digest: string;
  diffId?: string;
  size: number;
  createdBy?: string;
  /** Position in A / in B (base = 0), when the layer is there. */
  indexA?: number;
  indexB?: number;
  /** How a shared layer was recognised: the same blob, or the same uncompressed content compressed differently. */
  matchedBy?: 'digest' | 'diffId';
}

export interface ImageDiff {
  /** The references as given. */
  a: string;
  b: string;
  /** Sum of the compressed layer sizes. */
  sizeA: number;
  sizeB: number;
  layers: {
    shared: LayerAlignment[];
    onlyA: LayerAlignment[];
    onlyB: LayerAlignment[];
    /** Number of bottom layers both images have in the same order (the common base). */
    commonBase: number;
  };
  config: ConfigDifference[];
  /** `createdBy` of every history step, and the first position where they differ (-1 when identical). */
  history: { a: string[]; b: string[]; firstDifference: number };
  files: {
    added: DiffFile[];
    removed: DiffFile[];
    modified: ModifiedFile[];
  };
  /** Per-directory size delta (B - A) for every directory with a change below it, absolute paths, `/` included. */
  directoryDeltas: Record<string, number>;
  /** Problems found in either image's layers (see LayerIndex.warnings), prefixed with `a:` / `b:`. */
  warnings: string[];
}

/** `images.readFile` reads at most this much of a file (its `maxBytes` bound); 256 KiB unless asked for more. */
export const READ_FILE_MAX_BYTES = 4 * 1024 * 1024;
export const READ_FILE_DEFAULT_BYTES = 256 * 1024;
/** `images.textDiff` diffs files up to this size in both images; a larger one is refused (`too_large`). */
export const TEXT_DIFF_MAX_BYTES = 2 * 1024 * 1024;

export interface FileContent {
  /** The path asked for. */
  path: string;
  /** The path read, after following symlinks inside the image. */
  resolvedPath: string;
  layer: number;
  size: number;
  sha256?: string;
  truncated: boolean;
  binary: boolean;
  /** UTF-8 text, or base64 when binary. */
  content: string;
}

export interface TextDiff {
  path: string;
  /** Unified diff text (empty when identical or binary). */
  unified: string;
  binary: boolean;
  identical: boolean;
  /** Sizes in A and B; null when the path does not exist there. */
  sizeA: number | null;
  sizeB: number | null;
}
