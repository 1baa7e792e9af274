/** The layer engine's domain types: file entries, merged trees, image diffs. */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'whiteout' | 'opaque';

export interface LayerEntry {
  /** Absolute path inside the image, normalised: `/etc/hostname`. */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget?: string;
  /** sha256 hex of the content, for regular files. */
  sha256?: string;
}

export interface LayerIndex {
  digest: string;
  diffId?: string;
  mediaType: string;
  compressedSize: number;
  uncompressedSize: number;
  entries: LayerEntry[];
  /** Entries that were unsafe (`../`, absolute paths) and were reported, never used. */
  warnings: string[];
}

export interface MergedEntry extends LayerEntry {
  /** Index of the layer the entry comes from. */
  layer: number;
}

export interface LayerChange {
  layer: number;
  digest: string;
  createdBy?: string;
  added: number;
  modified: number;
  removed: number;
  sizeBytes: number;
}

export interface Efficiency {
  /** Bytes of files overwritten or deleted by later layers (dive's definition). */
  wastedBytes: number;
  totalBytes: number;
  /** 0..1, dive's efficiency score. */
  score: number;
  wasted: { path: string; occurrences: number; bytes: number }[];
}

export type ConfigDiffField = 'env' | 'labels' | 'entrypoint' | 'cmd' | 'user' | 'workingDir' | 'exposedPorts' | 'platform' | 'volumes' | 'stopSignal';

export interface ConfigDifference {
  field: ConfigDiffField | string;
  a: unknown;
  b: unknown;
}

export interface FileChange {
  path: string;
  kind: 'added' | 'removed' | 'modified';
  sizeA?: number;
  sizeB?: number;
  /** What differs for a modified entry. */
  changes?: ('content' | 'size' | 'mode' | 'owner' | 'linkTarget' | 'type')[];
}

export interface LayerAlignment {
  digest: string;
  diffId?: string;
  size: number;
  createdBy?: string;
}

export interface ImageDiff {
  a: string;
  b: string;
  sizeA: number;
  sizeB: number;
  layers: { shared: LayerAlignment[]; onlyA: LayerAlignment[]; onlyB: LayerAlignment[] };
  config: ConfigDifference[];
  history: { a: string[]; b: string[]; firstDifference: number };
  files: {
    added: { path: string; size: number }[];
    removed: { path: string; size: number }[];
    modified: { path: string; sizeA: number; sizeB: number; changes: FileChange['changes'] }[];
  };
  /** Per-directory size delta (b - a), absolute directory paths. */
  directoryDeltas: Record<string, number>;
}

export interface FileContent {
  path: string;
  size: number;
  truncated: boolean;
  binary: boolean;
  /** UTF-8 text, or base64 when binary. */
  content: string;
}

export interface TextDiff {
  path: string;
  /** Unified diff text. */
  unified: string;
  binary: boolean;
}
