/**
 * The compare view's state: the two images, their diff (`images.diff`), the file tree's controls and
 * selection, and the preview of the selected file (`images.textDiff` for a modified file,
 * `images.readFile` for an added or removed one). The tree itself is derived in the view.
 */
import type { FileContent, ImageDiff, TextDiff } from '../../shared/types/layers';
import { ancestors, type ChangeKind } from '../views/compare/file-tree';
import { treeControls, type TreeControls } from '../views/compare/tree-controls';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { newOperationId, runOperation, useOperations } from './operations';

export type Preview =
  | { kind: 'text-diff'; path: string; diff: TextDiff }
  | { kind: 'file'; path: string; side: 'a' | 'b'; file: FileContent };

export interface CompareState extends TreeControls {
  a: string;
  b: string;
  diff?: Loadable<ImageDiff>;
  /** The running `images.diff` (cancellable; its progress events carry layer indexing). */
  operationId?: string;
  selected?: string;
  /** The selected entry's change (the preview depends on it). */
  selectedKind?: ChangeKind;
  preview?: Loadable<Preview>;

  /** Sets the images; when both are set and differ from the loaded pair, fetches their diff. */
  compare(a: string, b: string): Promise<void>;
  /** Fetches the current pair again (after an error). */
  reload(): Promise<void>;
  /** Selects a tree entry; a changed file gets its preview. */
  select(path: string, kind: ChangeKind | undefined, isDirectory: boolean): Promise<void>;
  cancel(): Promise<void>;
}

export const useCompare = apiStore<CompareState>((api) => (set, get) => {
  // Only the latest request's answer may land: a slow diff of an older pair must not overwrite a newer one.
  let diffGeneration = 0;
  let previewGeneration = 0;

  const load = async (a: string, b: string) => {
    const generation = ++diffGeneration;
    const operationId = newOperationId();
    previewGeneration++;
    set({ operationId, selected: undefined, selectedKind: undefined, preview: undefined, expanded: new Set() });
    const diff = await track<ImageDiff>(
      undefined,
      (next) => {
        if (generation === diffGeneration) set({ diff: next });
      },
      () =>
        runOperation(api, { id: operationId, kind: 'layers.index', label: `Compare ${a} with ${b}` }, (id) =>
          api.call('images.diff', { a, b, operationId: id }),
        ),
    );
    if (generation !== diffGeneration) return;
    set({ operationId: undefined, ...(diff ? { expanded: new Set(defaultExpanded(diff)) } : {}) });
  };

  return {
    ...treeControls(set, get, { sort: 'delta', showUnchanged: false }),
    a: '',
    b: '',

    async compare(a, b) {
      const state = get();
      const loaded = a === state.a && b === state.b && state.diff !== undefined && state.diff.status !== 'error';
      set({ a, b });
      if (!a || !b || loaded) return;
      await load(a, b);
    },

    async reload() {
      const { a, b } = get();
      if (a && b) await load(a, b);
    },

    async select(path, kind, isDirectory) {
      const { a, b } = get();
      set({
        selected: path,
        selectedKind: isDirectory ? undefined : kind,
        expanded: new Set([...get().expanded, ...ancestors(path)]),
      });
      const generation = ++previewGeneration;
      if (isDirectory || !kind) {
        set({ preview: undefined });
        return;
      }
      const fetchPreview = async (): Promise<Preview> => {
        if (kind === 'modified')
          return { kind: 'text-diff', path, diff: await api.call('images.textDiff', { a, b, path }) };
        const side = kind === 'added' ? 'b' : 'a';
        return {
          kind: 'file',
          path,
          side,
          file: await api.call('images.readFile', { reference: side === 'a' ? a : b, path }),
        };
      };
      await track<Preview>(
        undefined,
        (next) => {
          if (generation === previewGeneration) set({ preview: next });
        },
        fetchPreview,
      );
    },

    async cancel() {
      const { operationId } = get();
      if (!operationId) return;
      await useOperations.of(api).getState().cancel(operationId);
    },
  };
});

/**
 * Opens the directories down to the changes when there are few, so the differences are in view without
 * flooding a large tree.
 */
export function defaultExpanded(diff: ImageDiff, limit = 50): string[] {
  const changed = [...diff.files.added, ...diff.files.removed, ...diff.files.modified].map((f) => f.path);
  if (changed.length > limit) return [];
  return [...new Set(changed.flatMap(ancestors))];
}
