/**
 * The compare view's state: the two images, their diff (`images.diff`), the file tree's controls and
 * selection, and the preview of the selected file (`images.textDiff` for a modified file,
 * `images.readFile` for an added or removed one; nothing to fetch for a retargeted link, whose preview is its
 * two targets; a notice with Show anyway and Save… for a file over the text diff limit). The tree itself is
 * derived in the view.
 */
import {
  READ_FILE_MAX_BYTES,
  TEXT_DIFF_MAX_BYTES,
  type FileContent,
  type ImageDiff,
  type ModifiedFile,
  type TextDiff,
} from '../../shared/types/layers';
import { ancestors, type ChangeKind } from '../views/compare/file-tree';
import { treeControls, type TreeControls } from '../views/compare/tree-controls';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { newOperationId, runOperation, useOperations } from './operations';

export type Side = 'a' | 'b';

export type Preview =
  | { kind: 'text-diff'; path: string; diff: TextDiff }
  | { kind: 'file'; path: string; side: Side; file: FileContent }
  /** A link retargeted, or an entry that changed type: its attributes are the whole difference. */
  | { kind: 'attributes'; path: string }
  /** Over the text diff limit: not fetched until the user asks. */
  | { kind: 'too-large'; path: string; side: Side; size: number; limit: number };

/** Only regular files (and hard links to them) have contents to diff as text. */
const CONTENT_TYPES = new Set<string | undefined>(['file', 'hardlink']);

/**
 * Whether a modified entry has a text diff: not a link whose target changed (its diff is the two targets,
 * and reading it would follow the link, e.g. into a directory), nor an entry that changed type.
 */
export function hasTextDiff(file: ModifiedFile): boolean {
  if (file.changes.includes('linkTarget')) return false;
  if (file.changes.includes('type')) return CONTENT_TYPES.has(file.typeA) && CONTENT_TYPES.has(file.typeB);
  return true;
}

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

  /**
   * Sets the images; when both are set and differ from the loaded pair, shows the diff of that pair kept
   * from earlier in the session, or fetches it. An empty side changes nothing (the last pair stays).
   */
  compare(a: string, b: string): Promise<void>;
  /** Shows the pair's diff kept from earlier in the session, fetching nothing; false when there is none. */
  recall(a: string, b: string): boolean;
  /** Fetches the current pair again (after an error). */
  reload(): Promise<void>;
  /** Selects a tree entry; a changed file gets its preview. */
  select(path: string, kind: ChangeKind | undefined, isDirectory: boolean): Promise<void>;
  /** Shows one side's version of the selected file past the preview limit, up to `images.readFile`'s maximum. */
  showAnyway(side: Side): Promise<void>;
  /** One side's version of a file, as much as `images.readFile` gives (for Save…). */
  readWhole(path: string, side: Side): Promise<FileContent>;
  cancel(): Promise<void>;
}

/** Comparisons kept for the session (a diff of two large images is a few MB). */
export const RECENT_COMPARISONS = 8;

export const useCompare = apiStore<CompareState>((api) => (set, get) => {
  // Only the latest request's answer may land: a slow diff of an older pair must not overwrite a newer one.
  let diffGeneration = 0;
  let previewGeneration = 0;

  // Finished comparisons of this session, oldest first: going back to a pair shows it again at once.
  const recent = new Map<string, ImageDiff>();
  const pairKey = (a: string, b: string) => `${a}\u0000${b}`;
  const remember = (a: string, b: string, diff: ImageDiff) => {
    recent.delete(pairKey(a, b));
    recent.set(pairKey(a, b), diff);
    for (const key of recent.keys()) {
      if (recent.size <= RECENT_COMPARISONS) break;
      recent.delete(key);
    }
  };

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
    if (diff) remember(a, b, diff);
    if (generation !== diffGeneration) return;
    set({ operationId: undefined, ...(diff ? { expanded: new Set(defaultExpanded(diff)) } : {}) });
  };

  const recall = (a: string, b: string): boolean => {
    const diff = recent.get(pairKey(a, b));
    if (!diff) return false;
    // A comparison still running for another pair must not land over this one.
    diffGeneration++;
    previewGeneration++;
    set({
      a,
      b,
      diff: { status: 'ready', value: diff },
      operationId: undefined,
      selected: undefined,
      selectedKind: undefined,
      preview: undefined,
      expanded: new Set(defaultExpanded(diff)),
    });
    return true;
  };

  return {
    ...treeControls(set, get, { sort: 'delta', showUnchanged: false }),
    a: '',
    b: '',

    async compare(a, b) {
      if (!a || !b) return;
      const state = get();
      const loaded = a === state.a && b === state.b && state.diff !== undefined && state.diff.status !== 'error';
      if (loaded || recall(a, b)) return;
      set({ a, b });
      await load(a, b);
    },

    recall,

    async reload() {
      const { a, b } = get();
      if (!a || !b) return;
      recent.delete(pairKey(a, b));
      await load(a, b);
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
      const diff = get().diff;
      const modified =
        kind === 'modified' && diff?.status === 'ready'
          ? diff.value.files.modified.find((file) => file.path === path)
          : undefined;
      const fetchPreview = async (): Promise<Preview> => {
        if (modified && !hasTextDiff(modified)) return { kind: 'attributes', path };
        const size = modified ? Math.max(modified.sizeA, modified.sizeB) : 0;
        if (size > TEXT_DIFF_MAX_BYTES) return { kind: 'too-large', path, side: 'b', size, limit: TEXT_DIFF_MAX_BYTES };
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

    async showAnyway(side) {
      const { selected: path } = get();
      if (!path) return;
      const generation = ++previewGeneration;
      await track<Preview>(
        undefined,
        (next) => {
          if (generation === previewGeneration) set({ preview: next });
        },
        async () => ({ kind: 'file', path, side, file: await get().readWhole(path, side) }),
      );
    },

    readWhole(path, side) {
      const { a, b } = get();
      return api.call('images.readFile', { reference: side === 'a' ? a : b, path, maxBytes: READ_FILE_MAX_BYTES });
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
