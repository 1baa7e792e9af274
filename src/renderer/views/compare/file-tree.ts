/**
 * The file trees of the compare and layer views, as pure data: built from flat path lists (an ImageDiff's
 * changes, a layer's entries, a merged tree), filtered by change kind and path, sorted by name, size or
 * size change, and flattened into the rows a virtualized list renders. Nothing here touches the DOM.
 */
import picomatch from 'picomatch/posix';
import type { EntryType, ImageDiff } from '../../../shared/types/layers';

export type ChangeKind = 'added' | 'removed' | 'modified';
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'removed', 'modified'];

/** One path as the tree receives it. Sizes are bytes; `sizeA` is before (left), `sizeB` after (right). */
export interface TreeInput {
  path: string;
  change?: ChangeKind;
  sizeA: number;
  sizeB: number;
  type?: EntryType;
  linkTarget?: string;
  /** Layer the entry comes from (merged trees). */
  layer?: number;
  /** What differs, for a modified entry. */
  details?: string[];
}

export interface TreeNode {
  name: string;
  /** Absolute path, `/` for the root. */
  path: string;
  isDirectory: boolean;
  /** The node's own change; a directory that only contains changes has none. */
  change?: ChangeKind;
  type?: EntryType;
  linkTarget?: string;
  layer?: number;
  details?: string[];
  /** For a directory: totals over every file below it. */
  sizeA: number;
  sizeB: number;
  /** sizeB - sizeA. */
  delta: number;
  /** Changed entries per kind: the node itself and, for a directory, everything below it. */
  counts: Record<ChangeKind, number>;
  /** Files below a directory (1 for a file). */
  files: number;
  children: TreeNode[];
}

export type TreeSort = 'name' | 'delta' | 'size';

export interface TreeFilter {
  /** Kinds to show; unchanged entries (merged trees) are shown only when `unchanged` is true. */
  kinds: ReadonlySet<ChangeKind>;
  unchanged?: boolean;
  /** A case-insensitive substring, or a glob (`**\/*.so`, `/etc/**`) when it holds * ? [ or {. */
  path?: string;
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
  expanded: boolean;
}

const zeroCounts = (): Record<ChangeKind, number> => ({ added: 0, removed: 0, modified: 0 });

function directory(name: string, path: string): TreeNode {
  return { name, path, isDirectory: true, sizeA: 0, sizeB: 0, delta: 0, counts: zeroCounts(), files: 0, children: [] };
}

/** Splits `/a/b/c` into `['a', 'b', 'c']`, ignoring empty and `.` components. */
function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Builds the tree of the given paths. A path listed as a directory entry (type `dir`, or a parent of
 * another listed path) becomes a directory node carrying its own change, so "the whole /opt/app was
 * added" reads as one added directory with its files below.
 */
export function buildTree(inputs: readonly TreeInput[]): TreeNode {
  const root = directory('/', '/');
  // Children by name while building; arrays are filled at the end.
  const index = new Map<TreeNode, Map<string, TreeNode>>();
  const childrenOf = (node: TreeNode) => {
    let map = index.get(node);
    if (!map) index.set(node, (map = new Map()));
    return map;
  };
  for (const input of inputs) {
    const parts = components(input.path);
    if (parts.length === 0) continue;
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const children = childrenOf(node);
      let child = children.get(name);
      const isLast = i === parts.length - 1;
      if (!child) {
        const path = `${node.path === '/' ? '' : node.path}/${name}`;
        child = directory(name, path);
        if (isLast && input.type !== 'dir') child.isDirectory = false;
        children.set(name, child);
      } else if (!isLast && !child.isDirectory) {
        // A path listed as a file that turns out to have children: it is a directory.
        child.isDirectory = true;
      }
      if (isLast) {
        child.change = input.change;
        child.type = input.type;
        child.linkTarget = input.linkTarget;
        child.layer = input.layer;
        child.details = input.details;
        if (!child.isDirectory) {
          child.sizeA = input.sizeA;
          child.sizeB = input.sizeB;
        }
      }
      node = child;
    }
  }
  finish(root, index);
  return root;
}

/** Fills children arrays bottom-up and sums sizes, deltas and counts into directories. */
function finish(node: TreeNode, index: Map<TreeNode, Map<string, TreeNode>>): void {
  const children = index.get(node);
  if (!node.isDirectory) {
    node.delta = node.sizeB - node.sizeA;
    node.files = 1;
    node.counts = zeroCounts();
    if (node.change) node.counts[node.change] = 1;
    return;
  }
  node.children = children ? [...children.values()] : [];
  node.sizeA = 0;
  node.sizeB = 0;
  node.files = 0;
  node.counts = zeroCounts();
  for (const child of node.children) {
    finish(child, index);
    node.sizeA += child.sizeA;
    node.sizeB += child.sizeB;
    node.files += child.files;
    for (const kind of CHANGE_KINDS) node.counts[kind] += child.counts[kind];
  }
  if (node.change) node.counts[node.change]++;
  node.delta = node.sizeB - node.sizeA;
}

/** The changed entries of an image diff (left = a, right = b) as tree inputs. */
export function diffInputs(files: ImageDiff['files']): TreeInput[] {
  return [
    ...files.added.map((f) => ({ path: f.path, change: 'added' as const, type: f.type, sizeA: 0, sizeB: f.size })),
    ...files.removed.map((f) => ({ path: f.path, change: 'removed' as const, type: f.type, sizeA: f.size, sizeB: 0 })),
    ...files.modified.map((f) => ({
      path: f.path,
      change: 'modified' as const,
      ...(f.typeB ? { type: f.typeB } : {}),
      sizeA: f.sizeA,
      sizeB: f.sizeB,
      details: f.changes,
    })),
  ];
}

const GLOB_CHARS = /[*?[{]/;

/** A predicate for the path box: glob when it looks like one, else a case-insensitive substring. */
export function pathMatcher(query: string | undefined): ((path: string) => boolean) | null {
  const text = query?.trim();
  if (!text) return null;
  if (GLOB_CHARS.test(text)) {
    // Globs are anchored at the root unless they start with `/`-less text, as in .dockerignore.
    const pattern = text.startsWith('/') ? text : `**/${text}`;
    const isMatch = picomatch(pattern, { dot: true, nocase: true });
    return (path) => isMatch(path);
  }
  const needle = text.toLowerCase();
  return (path) => path.toLowerCase().includes(needle);
}

/**
 * The tree restricted to entries that match the filter. Directories stay when something below them
 * matches, and their sizes, deltas and counts are recomputed over what is shown, so "what did the
 * additions under /usr cost" reads straight off the tree. Returns the root even when empty.
 */
export function filterTree(root: TreeNode, filter: TreeFilter): TreeNode {
  const matchesPath = pathMatcher(filter.path);
  const showsEverything = CHANGE_KINDS.every((k) => filter.kinds.has(k)) && filter.unchanged !== false;
  if (showsEverything && !matchesPath) return root;
  const showsChange = (node: TreeNode) => (node.change ? filter.kinds.has(node.change) : filter.unchanged !== false);

  // Below a directory whose path matches, everything it holds is in scope (only the kind filter applies).
  const visit = (node: TreeNode, inMatchedDirectory: boolean): TreeNode | null => {
    const pathMatches = inMatchedDirectory || !matchesPath || (node.path !== '/' && matchesPath(node.path));
    if (!node.isDirectory) return pathMatches && showsChange(node) ? node : null;
    const scope = inMatchedDirectory || (matchesPath !== null && pathMatches);
    const children: TreeNode[] = [];
    for (const child of node.children) {
      const kept = visit(child, scope);
      if (kept) children.push(kept);
    }
    // An added/removed directory, or an empty one, still shows on its own.
    const showsItself = pathMatches && showsChange(node) && (node.change !== undefined || node.children.length === 0);
    if (children.length === 0 && !showsItself && node.path !== '/') return null;
    return summed({ ...node, children }, showsItself && node.change !== undefined);
  };
  return visit(root, false) ?? summed({ ...root, children: [] }, false);
}

/** Totals of a directory over its (kept) children, counting its own change when it is shown. */
function summed(node: TreeNode, countsItself: boolean): TreeNode {
  let sizeA = 0;
  let sizeB = 0;
  let files = 0;
  const counts = zeroCounts();
  for (const child of node.children) {
    sizeA += child.sizeA;
    sizeB += child.sizeB;
    files += child.files;
    for (const kind of CHANGE_KINDS) counts[kind] += child.counts[kind];
  }
  if (countsItself && node.change) counts[node.change]++;
  return { ...node, sizeA, sizeB, delta: sizeB - sizeA, files, counts };
}

const byName = (a: TreeNode, b: TreeNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function compareNodes(sort: TreeSort): (a: TreeNode, b: TreeNode) => number {
  switch (sort) {
    case 'name':
      // Directories first, as file managers do.
      return (a, b) => (a.isDirectory !== b.isDirectory ? (a.isDirectory ? -1 : 1) : byName(a, b));
    case 'delta':
      return (a, b) => Math.abs(b.delta) - Math.abs(a.delta) || byName(a, b);
    case 'size':
      return (a, b) => Math.max(b.sizeA, b.sizeB) - Math.max(a.sizeA, a.sizeB) || byName(a, b);
  }
}

/**
 * The visible rows, depth-first: children of expanded directories (all directories when `expandAll`),
 * sorted. The root itself is not a row.
 */
export function flattenTree(
  root: TreeNode,
  options: { sort: TreeSort; expanded: ReadonlySet<string>; expandAll?: boolean },
): TreeRow[] {
  const rows: TreeRow[] = [];
  const compare = compareNodes(options.sort);
  // Iterative, so a pathological depth cannot overflow the stack.
  const stack: { node: TreeNode; depth: number }[] = [...root.children]
    .sort(compare)
    .reverse()
    .map((node) => ({ node, depth: 0 }));
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    const expanded = node.isDirectory && (options.expandAll === true || options.expanded.has(node.path));
    rows.push({ node, depth, expanded });
    if (expanded) {
      const children = [...node.children].sort(compare);
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1 });
    }
  }
  return rows;
}

/** Every directory path on the way to `path` (for revealing a selected file). */
export function ancestors(path: string): string[] {
  const parts = components(path);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

/** Paths of every directory in the tree (for "Expand all"). */
export function directoryPaths(root: TreeNode): string[] {
  const out: string[] = [];
  const stack = [...root.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!node.isDirectory) continue;
    out.push(node.path);
    stack.push(...node.children);
  }
  return out;
}
