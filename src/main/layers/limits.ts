/**
 * Bounds on what one layer may cost to index. A layer is untrusted input: a few megabytes of gzip can expand
 * to terabytes (a decompression bomb), and a tar can hold millions of empty entries. Real layers compress
 * 2-10x, sparse-file layers more; the ratio below leaves room for those and stops bombs early.
 */
export interface IndexLimits {
  /** Uncompressed bytes always allowed, whatever the compressed size. */
  minExpandedBytes: number;
  /** Beyond that floor, uncompressed bytes may be at most this many times the compressed size. */
  maxExpansionRatio: number;
  /** Hard ceiling on uncompressed bytes. */
  maxExpandedBytes: number;
  /** Tar entries per layer. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: IndexLimits = {
  minExpandedBytes: 1024 ** 3,
  maxExpansionRatio: 200,
  maxExpandedBytes: 64 * 1024 ** 3,
  maxEntries: 2_000_000,
};

export function expandedBudget(limits: IndexLimits, compressedSize: number): number {
  return Math.min(
    limits.maxExpandedBytes,
    Math.max(limits.minExpandedBytes, compressedSize * limits.maxExpansionRatio),
  );
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : `${digest.slice(0, colon + 1)}${digest.slice(colon + 1, colon + 13)}`;
}
