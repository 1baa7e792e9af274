/**
 * Merged trees kept between requests, keyed by the chain of diffIDs they merge: the same content whatever
 * the source, so two tags or two sources of one image share a tree, and a longer chain extends a shorter one.
 */
import { LruMap } from '../util/lru';
import type { OpenedImage } from './image-opener';
import { MergedTree } from './merged-tree';

export class TreeCache {
  private readonly trees: LruMap<MergedTree>;

  constructor(kept: number) {
    this.trees = new LruMap({ budget: kept, costOf: () => 1 });
  }

  /** The merged tree of layers 0..upTo: cached, else extended from the longest cached prefix, else built. */
  upTo(opened: OpenedImage, upTo: number): MergedTree {
    const chain = opened.image.layers.slice(0, upTo + 1).map((layer) => layer.diffId);
    const layers = opened.tables.slice(0, upTo + 1);
    let tree = this.trees.get(chain.join(','));
    if (tree) return tree;
    for (let length = chain.length - 1; length > 0 && !tree; length--)
      tree = this.trees.get(chain.slice(0, length).join(','))?.extend(layers);
    tree ??= MergedTree.build(layers);
    this.trees.set(chain.join(','), tree);
    return tree;
  }

  full(opened: OpenedImage): MergedTree {
    return this.upTo(opened, opened.tables.length - 1);
  }

  /** The whole image's tree if it is cached; nothing is built. */
  cachedFull(opened: OpenedImage): MergedTree | undefined {
    return this.trees.get(fullChain(opened));
  }

  /** Keeps a tree built elsewhere as the whole image's tree. */
  keepFull(opened: OpenedImage, tree: MergedTree): void {
    this.trees.set(fullChain(opened), tree);
  }
}

function fullChain(opened: OpenedImage): string {
  return opened.image.layers.map((layer) => layer.diffId).join(',');
}
