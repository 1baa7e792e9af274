/**
 * The rows a file tree shows (the compare tree and the layers tree alike): filtered by the toolbar's
 * controls and flattened in their sort. While a filter is on, every directory is open so what matched is
 * in sight, unless that would put too many files in the table.
 */
import { useMemo } from 'react';
import { filterTree, flattenTree, type TreeNode, type TreeRow } from './file-tree';
import type { TreeControls } from './tree-controls';

const EXPAND_ALL_MAX_FILES = 2000;

/** `unchangedToggle`: the tree offers "changes only" (merged layer trees); elsewhere `showUnchanged` plays no part. */
export function useTreeRows(
  tree: TreeNode,
  controls: TreeControls,
  { unchangedToggle }: { unchangedToggle: boolean },
): { filtered: TreeNode; rows: TreeRow[] } {
  const { kinds, pathFilter, sort, expanded } = controls;
  const unchanged = unchangedToggle ? controls.showUnchanged : undefined;
  const filtered = useMemo(
    () => filterTree(tree, { kinds, unchanged, path: pathFilter }),
    [tree, kinds, unchanged, pathFilter],
  );
  const filtering = pathFilter.trim() !== '' || unchanged === false;
  const rows = useMemo(
    () => flattenTree(filtered, { sort, expanded, expandAll: filtering && filtered.files <= EXPAND_ALL_MAX_FILES }),
    [filtered, sort, expanded, filtering],
  );
  return { filtered, rows };
}
