/**
 * The filesystem an image's layers stack up to, as a container sees it, with for each path the layer it comes
 * from. Layers apply bottom-up, each in two steps, per the OCI layer spec
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts):
 *  1. its whiteouts delete the named path (and everything below it) from the layers beneath, and its opaque
 *     markers empty their directory of what the layers beneath put there; neither touches the layer's own
 *     entries, whatever their order in the tar (tools that apply markers in tar order get this wrong);
 *  2. its entries are placed: a directory over a directory keeps the children; anything else replaces the
 *     path, and a non-directory over a directory removes what was below it (Docker's applyLayer does the same).
 * Paths a layer uses without listing their directories get implicit directories.
 *
 * Trees are built incrementally: the tree of layers 0..n is the tree of 0..n-1 copied and extended by layer n,
 * so two tags on one base merge the base once, and stepping through layers costs one layer each. The
 * directory -> children index is only built when something needs it (deleting a directory, listing).
 */
import type { MergedEntry } from '../../shared/types/layers';
import { TYPE, type LayerTable } from './layer-table';
import { parentPath } from './tar-path';

/** A path's source, packed: layer * 2^32 + row. */
export type EntryRef = number;

const LAYER_UNIT = 2 ** 32;
const IMPLICIT_ROW = LAYER_UNIT - 1;
const IMPLICIT_DIR_MODE = 0o755;

export type RemovalCause = 'whiteout' | 'opaque' | 'overwrite';

/** Hooks for analyses that need the history of each path (layer statistics, wasted space). */
export interface MergeObserver {
  /** An entry placed by an earlier layer leaves the tree during `layer`. */
  removed?(path: string, ref: EntryRef, layer: number, cause: RemovalCause, tree: MergedTree): void;
  /** `layer` places an entry; `previous` is what the path held before (undefined when new). */
  placed?(path: string, ref: EntryRef, previous: EntryRef | undefined, tree: MergedTree): void;
}

export function layerOfRef(ref: EntryRef): number {
  return Math.floor(ref / LAYER_UNIT);
}

export function rowOfRef(ref: EntryRef): number {
  return ref % LAYER_UNIT;
}

export class MergedTree {
  private readonly refs: Map<string, EntryRef>;
  /** Hard links whose target sits in a lower layer: the target's ref, for size and content. */
  private readonly linkTargets: Map<string, EntryRef>;
  /** Directory -> its children's paths; built on first need, then kept up to date. */
  private children: Map<string, Set<string>> | undefined;
  private observer: MergeObserver | undefined;
  /** The directory last seen to exist: a tar lists a directory's files together, so most parents are this one. */
  private lastDirectory = '';

  private constructor(
    readonly layers: readonly LayerTable[],
    refs: Map<string, EntryRef>,
    linkTargets: Map<string, EntryRef>,
  ) {
    this.refs = refs;
    this.linkTargets = linkTargets;
  }

  static build(layers: readonly LayerTable[], observer?: MergeObserver): MergedTree {
    return new MergedTree([], new Map(), new Map()).extend(layers, observer);
  }

  /**
   * A new tree: this one with the layers of `layers` beyond this tree's own applied on top. `layers` must
   * start with this tree's layers (the same diff IDs). This tree is left as it is.
   */
  extend(layers: readonly LayerTable[], observer?: MergeObserver): MergedTree {
    for (let index = 0; index < this.layers.length; index++) {
      if (layers[index]?.meta.diffId !== this.layers[index]!.meta.diffId)
        throw new Error("MergedTree.extend: the layers do not start with this tree's layers");
    }
    const tree = new MergedTree(layers, new Map(this.refs), new Map(this.linkTargets));
    tree.observer = observer;
    for (let layer = this.layers.length; layer < layers.length; layer++) tree.apply(layer);
    tree.observer = undefined;
    return tree;
  }

  get pathCount(): number {
    return this.refs.size;
  }

  paths(): IterableIterator<string> {
    return this.refs.keys();
  }

  entries(): IterableIterator<[string, EntryRef]> {
    return this.refs.entries();
  }

  ref(path: string): EntryRef | undefined {
    return this.refs.get(path);
  }

  isImplicit(ref: EntryRef): boolean {
    return rowOfRef(ref) === IMPLICIT_ROW;
  }

  typeCode(ref: EntryRef): number {
    const row = rowOfRef(ref);
    return row === IMPLICIT_ROW ? TYPE.dir : this.layers[layerOfRef(ref)]!.typeCode(row);
  }

  isDirectory(ref: EntryRef): boolean {
    return this.typeCode(ref) === TYPE.dir;
  }

  mode(ref: EntryRef): number {
    const row = rowOfRef(ref);
    return row === IMPLICIT_ROW ? IMPLICIT_DIR_MODE : this.layers[layerOfRef(ref)]!.mode(row);
  }

  uid(ref: EntryRef): number {
    const row = rowOfRef(ref);
    return row === IMPLICIT_ROW ? 0 : this.layers[layerOfRef(ref)]!.uid(row);
  }

  gid(ref: EntryRef): number {
    const row = rowOfRef(ref);
    return row === IMPLICIT_ROW ? 0 : this.layers[layerOfRef(ref)]!.gid(row);
  }

  link(ref: EntryRef): string {
    const row = rowOfRef(ref);
    return row === IMPLICIT_ROW ? '' : this.layers[layerOfRef(ref)]!.link(row);
  }

  /** The ref whose size and hash stand for this entry's content (a hard link's target when in a lower layer). */
  contentRef(path: string, ref: EntryRef): EntryRef {
    return this.linkTargets.get(path) ?? ref;
  }

  size(path: string, ref: EntryRef): number {
    const content = this.contentRef(path, ref);
    const row = rowOfRef(content);
    return row === IMPLICIT_ROW ? 0 : this.layers[layerOfRef(content)]!.size(row);
  }

  hashHex(path: string, ref: EntryRef): string | undefined {
    const content = this.contentRef(path, ref);
    const row = rowOfRef(content);
    return row === IMPLICIT_ROW ? undefined : this.layers[layerOfRef(content)]!.hashHex(row);
  }

  /**
   * Whether two entries (of this tree and another) are the same tar entry of the same layer content: then
   * every attribute is equal without comparing them.
   */
  sameEntry(path: string, ref: EntryRef, other: MergedTree, otherRef: EntryRef): boolean {
    const row = rowOfRef(ref);
    if (row !== rowOfRef(otherRef) || row === IMPLICIT_ROW) return false;
    if (this.layers[layerOfRef(ref)]!.meta.diffId !== other.layers[layerOfRef(otherRef)]!.meta.diffId) return false;
    return this.linkTargets.get(path) === other.linkTargets.get(path);
  }

  /** Whether two entries (of this tree and another) have the same content hash. */
  sameContent(path: string, ref: EntryRef, other: MergedTree, otherPath: string, otherRef: EntryRef): boolean {
    const a = this.contentRef(path, ref);
    const b = other.contentRef(otherPath, otherRef);
    const rowA = rowOfRef(a);
    const rowB = rowOfRef(b);
    if (rowA === IMPLICIT_ROW || rowB === IMPLICIT_ROW) return rowA === rowB;
    return this.layers[layerOfRef(a)]!.sameHash(rowA, other.layers[layerOfRef(b)]!, rowB);
  }

  entry(path: string, ref: EntryRef): MergedEntry {
    const layer = layerOfRef(ref);
    const row = rowOfRef(ref);
    if (row === IMPLICIT_ROW)
      return { path, type: 'dir', size: 0, mode: IMPLICIT_DIR_MODE, uid: 0, gid: 0, mtime: 0, layer, implicit: true };
    const entry: MergedEntry = { ...this.layers[layer]!.entry(row), layer };
    const target = this.linkTargets.get(path);
    if (target !== undefined) {
      entry.size = this.size(path, ref);
      const hash = this.hashHex(path, ref);
      if (hash !== undefined) entry.sha256 = hash;
    }
    return entry;
  }

  /** Direct children of a directory, sorted by path. */
  childPaths(dir: string): string[] {
    return [...(this.childIndex().get(dir) ?? [])].sort(comparePaths);
  }

  /**
   * The entries below `dir` (direct children, or all descendants when recursive) in path order; for a
   * non-directory path, that entry alone. Undefined when the path does not exist.
   */
  list(dir: string, recursive: boolean): MergedEntry[] | undefined {
    if (dir !== '/') {
      const ref = this.refs.get(dir);
      if (ref === undefined) return undefined;
      if (!this.isDirectory(ref)) return [this.entry(dir, ref)];
    }
    const result: MergedEntry[] = [];
    const visit = (path: string): void => {
      for (const child of this.childPaths(path)) {
        const ref = this.refs.get(child)!;
        result.push(this.entry(child, ref));
        if (recursive && this.childIndex().has(child)) visit(child);
      }
    };
    visit(dir);
    return result;
  }

  private apply(layer: number): void {
    const table = this.layers[layer]!;
    const { types, paths } = table.columns;
    for (let row = 0; row < table.count; row++) {
      const type = types[row]!;
      if (type === TYPE.whiteout) this.remove(paths[row]!, true, layer, 'whiteout');
      else if (type === TYPE.opaque) this.remove(paths[row]!, false, layer, 'opaque');
    }
    for (let row = 0; row < table.count; row++) {
      if (types[row]! < TYPE.whiteout) this.place(paths[row]!, layer, row, types[row]!);
    }
  }

  private place(path: string, layer: number, row: number, type: number): void {
    const ref = layer * LAYER_UNIT + row;
    const previous = this.refs.get(path);
    if (previous !== undefined) {
      this.lastDirectory = '';
      const wasDirectory = this.isDirectory(previous);
      if (wasDirectory && type !== TYPE.dir) this.remove(path, false, layer, 'overwrite');
      if (!(wasDirectory && type === TYPE.dir)) this.observer?.removed?.(path, previous, layer, 'overwrite', this);
      this.linkTargets.delete(path);
    } else if (path !== '/') {
      const parent = parentPath(path);
      if (parent !== this.lastDirectory) {
        this.ensureDirectory(parent, layer);
        this.lastDirectory = parent;
      }
      this.addChild(path);
    }
    this.refs.set(path, ref);
    if (type === TYPE.hardlink) this.resolveLowerLink(path, layer, row);
    this.observer?.placed?.(path, ref, previous, this);
  }

  /** A hard link the indexer could not resolve within its layer points at a lower layer's file. */
  private resolveLowerLink(path: string, layer: number, row: number): void {
    const table = this.layers[layer]!;
    if (table.hasHash(row)) return;
    const target = table.link(row);
    const targetRef = target === '' ? undefined : this.refs.get(target);
    if (targetRef === undefined) return;
    const content = this.contentRef(target, targetRef);
    if (this.typeCode(content) === TYPE.file) this.linkTargets.set(path, content);
  }

  private ensureDirectory(path: string, layer: number): void {
    if (path === '/' || path === '') return;
    const existing = this.refs.get(path);
    if (existing !== undefined) {
      if (this.isDirectory(existing)) return;
      // A lower layer has a file or symlink where this layer needs a directory: the directory wins.
      this.observer?.removed?.(path, existing, layer, 'overwrite', this);
      this.linkTargets.delete(path);
    } else {
      this.ensureDirectory(parentPath(path), layer);
      this.addChild(path);
    }
    const ref = layer * LAYER_UNIT + IMPLICIT_ROW;
    this.refs.set(path, ref);
    this.observer?.placed?.(path, ref, existing, this);
  }

  /** Records `path` under its parent, when the index exists (otherwise it is built from `refs` later). */
  private addChild(path: string): void {
    if (!this.children) return;
    const parent = parentPath(path);
    let set = this.children.get(parent);
    if (!set) {
      set = new Set();
      this.children.set(parent, set);
    }
    set.add(path);
  }

  private childIndex(): Map<string, Set<string>> {
    if (!this.children) {
      const children = new Map<string, Set<string>>();
      for (const path of this.refs.keys()) {
        if (path === '/') continue;
        const parent = parentPath(path);
        let set = children.get(parent);
        if (!set) {
          set = new Set();
          children.set(parent, set);
        }
        set.add(path);
      }
      this.children = children;
    }
    return this.children;
  }

  /** Removes what is below `path` and, when `includeSelf`, the path itself. */
  private remove(path: string, includeSelf: boolean, layer: number, cause: RemovalCause): void {
    this.lastDirectory = '';
    const ref = this.refs.get(path);
    // Only directories have something below them: a file's whiteout needs no child index.
    if (path === '/' || (ref !== undefined && this.isDirectory(ref))) {
      const children = this.childIndex();
      const below = children.get(path);
      if (below) {
        for (const child of below) this.removeDetached(child, layer, cause, children);
        children.delete(path);
      }
    }
    if (includeSelf && path !== '/' && ref !== undefined) {
      this.observer?.removed?.(path, ref, layer, cause, this);
      this.refs.delete(path);
      this.linkTargets.delete(path);
      this.children?.get(parentPath(path))?.delete(path);
    }
  }

  /** Removes a path and its subtree whose parent's child set is being dropped as a whole. */
  private removeDetached(path: string, layer: number, cause: RemovalCause, children: Map<string, Set<string>>): void {
    const below = children.get(path);
    if (below) {
      for (const child of below) this.removeDetached(child, layer, cause, children);
      children.delete(path);
    }
    const ref = this.refs.get(path);
    if (ref === undefined) return;
    this.observer?.removed?.(path, ref, layer, cause, this);
    this.refs.delete(path);
    this.linkTargets.delete(path);
  }
}

/** Plain code-unit order: the same on every machine and locale, and fast. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
