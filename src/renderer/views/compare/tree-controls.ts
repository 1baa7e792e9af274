/**
 * The file tree's view state (kind filter, path filter, sort, expanded directories) as a zustand slice,
 * shared by the compare store and the layers store so both trees behave the same. The kind filter starts
 * with every kind shown; choosing a kind shows only that kind, a filter rather than a set of switches that
 * start on (issue 20: a first click on Modified used to hide the modified files).
 */
import { CHANGE_KINDS, type ChangeKind, type TreeSort } from './file-tree';

export interface TreeControls {
  kinds: ReadonlySet<ChangeKind>;
  /** Show entries no change touched (merged trees). */
  showUnchanged: boolean;
  pathFilter: string;
  sort: TreeSort;
  expanded: ReadonlySet<string>;
  /** Shows only this kind, or every kind again when it is already the only one shown. */
  showKind(kind: ChangeKind): void;
  showAllKinds(): void;
  setShowUnchanged(show: boolean): void;
  setPathFilter(text: string): void;
  setSort(sort: TreeSort): void;
  toggleExpanded(path: string): void;
  setExpanded(paths: Iterable<string>): void;
}

type Set_ = (partial: Partial<TreeControls>) => void;

/** The one kind shown when the tree shows only one, else undefined (every kind, the start). */
export function onlyKind(kinds: ReadonlySet<ChangeKind>): ChangeKind | undefined {
  return kinds.size === 1 ? kinds.values().next().value : undefined;
}

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
    showKind(kind) {
      set({ kinds: new Set(onlyKind(get().kinds) === kind ? CHANGE_KINDS : [kind]) });
    },
    showAllKinds() {
      set({ kinds: new Set(CHANGE_KINDS) });
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
