/**
 * The file tree's view state (kind filter, path filter, sort, expanded directories) as a zustand slice,
 * shared by the compare store and the layers store so both trees behave the same.
 */
import { CHANGE_KINDS, type ChangeKind, type TreeSort } from './file-tree';

export interface TreeControls {
  kinds: ReadonlySet<ChangeKind>;
  /** Show entries no change touched (merged trees). */
  showUnchanged: boolean;
  pathFilter: string;
  sort: TreeSort;
  expanded: ReadonlySet<string>;
  toggleKind(kind: ChangeKind): void;
  /** Shows only this kind, or every kind again when it is the only one shown. */
  soloKind(kind: ChangeKind): void;
  setShowUnchanged(show: boolean): void;
  setPathFilter(text: string): void;
  setSort(sort: TreeSort): void;
  toggleExpanded(path: string): void;
  setExpanded(paths: Iterable<string>): void;
}

type Set_ = (partial: Partial<TreeControls>) => void;

export function treeControls(
  set: Set_,
  get: () => TreeControls,
  initial: { sort: TreeSort; showUnchanged: boolean },
): TreeControls {
  return {
    kinds: new Set(CHANGE_KINDS),
    showUnchanged: initial.showUnchanged,
    pathFilter: '',
    sort: initial.sort,
    expanded: new Set(),
    toggleKind(kind) {
      const kinds = new Set(get().kinds);
      if (kinds.has(kind)) kinds.delete(kind);
      else kinds.add(kind);
      set({ kinds });
    },
    soloKind(kind) {
      const { kinds } = get();
      const only = kinds.size === 1 && kinds.has(kind);
      set({ kinds: new Set(only ? CHANGE_KINDS : [kind]) });
    },
    setShowUnchanged(showUnchanged) {
      set({ showUnchanged });
    },
    setPathFilter(pathFilter) {
      set({ pathFilter });
    },
    setSort(sort) {
      set({ sort });
    },
    toggleExpanded(path) {
      const expanded = new Set(get().expanded);
      if (expanded.has(path)) expanded.delete(path);
      else expanded.add(path);
      set({ expanded });
    },
    setExpanded(paths) {
      set({ expanded: new Set(paths) });
    },
  };
}
