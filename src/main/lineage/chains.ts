/**
 * Layer-chain matching: an image's base is the image whose uncompressed chain (config `rootfs.diff_ids`) is
 * the longest strict prefix of its own. Diff IDs, not blob digests, because a re-compressed layer (gzip
 * level, zstd) is the same layer with another blob digest
 * (https://github.com/opencontainers/image-spec/blob/main/config.md#layer-diffid).
 */

/** One platform image of a manifest some tag points (or pointed) at. */
export interface PlatformImage {
  /** The manifest a tag points at: the image itself, or the index holding it. */
  top: string;
  /** The image manifest's digest (equal to `top` for a single-platform image). */
  digest: string;
  platform?: string;
  diffIds: readonly string[];
}

const key = (diffIds: readonly string[], length: number) => diffIds.slice(0, length).join('\n');

/** Chains by their exact diff ID sequence, so each prefix of an image is one lookup. */
export class ChainIndex<T extends PlatformImage = PlatformImage> {
  private readonly byChain = new Map<string, T[]>();
  private readonly seen = new Set<string>();

  add(image: T): void {
    // An empty chain (an artifact, schema 1) is a prefix of everything and the base of nothing.
    if (image.diffIds.length === 0) return;
    const id = `${image.top} ${image.digest}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const chain = key(image.diffIds, image.diffIds.length);
    const list = this.byChain.get(chain);
    if (list) list.push(image);
    else this.byChain.set(chain, [image]);
  }

  /** Images other than `image` (and other than its own manifest) whose chain is exactly `diffIds[0..length)`. */
  private others(image: PlatformImage, length: number): T[] {
    return (this.byChain.get(key(image.diffIds, length)) ?? []).filter(
      (candidate) => candidate.top !== image.top && candidate.digest !== image.digest,
    );
  }

  /** The longest strict prefix of `image`'s chain that some other image has, with every image that has it. */
  baseOf(image: PlatformImage): { sharedLayers: number; matches: T[] } | undefined {
    for (let length = image.diffIds.length - 1; length >= 1; length--) {
      const matches = this.others(image, length);
      if (matches.length > 0) return { sharedLayers: length, matches };
    }
    return undefined;
  }

  /** Other images with exactly this chain: built from it with ENV or LABEL steps only, or the other way round. */
  sameLayers(image: PlatformImage): T[] {
    return image.diffIds.length === 0 ? [] : this.others(image, image.diffIds.length);
  }
}

/** True when `prefix` is a prefix of `chain` (equal included). */
export function startsWith(chain: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length > 0 && prefix.length <= chain.length && prefix.every((diffId, index) => chain[index] === diffId);
}
