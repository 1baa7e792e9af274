/**
 * The layer view (dive-like) of one image: its layers (`layers.list`), efficiency (`images.efficiency`),
 * and for the selected layer the merged tree up to it with what that layer changed marked. A layer's
 * changes are the difference between the merged trees up to it and up to the layer before: an entry
 * whose layer is the selected one was added (or modified, when the path existed before); an entry of the
 * tree before that is gone was removed (a whiteout, or a directory made opaque).
 */
import type { Efficiency, FileContent, LayerChange, MergedEntry } from '../../shared/types/layers';
import type { TreeInput } from '../views/compare/file-tree';
import { ancestors } from '../views/compare/file-tree';
import { treeControls, type TreeControls } from '../views/compare/tree-controls';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { newOperationId, runOperation } from './operations';

export interface LayersState extends TreeControls {
  reference: string;
  layers?: Loadable<LayerChange[]>;
  efficiency?: Loadable<Efficiency>;
  selectedLayer?: number;
  /** The selected layer's tree: merged entries up to it, plus the entries it removed. */
  tree?: Loadable<TreeInput[]>;
  selected?: string;
  preview?: Loadable<FileContent>;

  open(reference: string): Promise<void>;
  selectLayer(layer: number): Promise<void>;
  select(path: string, isDirectory: boolean, removed: boolean): Promise<void>;
}

/** Merged trees kept per layer; two are needed per selection, a few more make stepping through cheap. */
const CACHED_TREES = 6;

export const useLayers = apiStore<LayersState>((api) => (set, get) => {
  let generation = 0;
  let previewGeneration = 0;
  const merged = new Map<number, Promise<MergedEntry[]>>();

  const mergedUpTo = (reference: string, layer: number): Promise<MergedEntry[]> => {
    let entries = merged.get(layer);
    if (!entries) {
      entries = runOperation(
        api,
        { id: newOperationId(), kind: 'layers.index', label: `Read layers of ${reference}` },
        (operationId) =>
          api.call('images.ls', { reference, path: '/', upToLayer: layer, recursive: true, operationId }),
      );
      // A failed read is not cached: selecting the layer again retries.
      entries.catch(() => merged.delete(layer));
      merged.set(layer, entries);
      while (merged.size > CACHED_TREES) merged.delete(merged.keys().next().value!);
    }
    return entries;
  };

  return {
    ...treeControls(set, get, { sort: 'name', showUnchanged: true }),
    reference: '',

    async open(reference) {
      if (reference === get().reference && get().layers?.status === 'ready') return;
      const current = ++generation;
      merged.clear();
      previewGeneration++;
      set({
        reference,
        layers: undefined,
        efficiency: undefined,
        selectedLayer: undefined,
        tree: undefined,
        selected: undefined,
        preview: undefined,
        expanded: new Set(),
      });
      const guard =
        <T>(key: 'layers' | 'efficiency') =>
        (next: Loadable<T>) => {
          if (current === generation) set({ [key]: next } as Partial<LayersState>);
        };
      const layers = track<LayerChange[]>(undefined, guard('layers'), () =>
        runOperation(
          api,
          { id: newOperationId(), kind: 'layers.index', label: `Layers of ${reference}` },
          (operationId) => api.call('layers.list', { reference, operationId }),
        ),
      );
      const efficiency = track<Efficiency>(undefined, guard('efficiency'), () =>
        api.call('images.efficiency', { reference }),
      );
      const list = await layers;
      if (current === generation && list && list.length > 0) await get().selectLayer(list.length - 1);
      await efficiency;
    },

    async selectLayer(layer) {
      const { reference } = get();
      const current = generation;
      previewGeneration++;
      set({ selectedLayer: layer, selected: undefined, preview: undefined });
      await track<TreeInput[]>(
        get().tree,
        (next) => {
          if (current === generation && get().selectedLayer === layer) set({ tree: next });
        },
        async () => {
          const [after, before] = await Promise.all([
            mergedUpTo(reference, layer),
            layer > 0 ? mergedUpTo(reference, layer - 1) : Promise.resolve([]),
          ]);
          return layerTree(after, before, layer);
        },
      );
    },

    async select(path, isDirectory, removed) {
      const { reference } = get();
      set({ selected: path, expanded: new Set([...get().expanded, ...ancestors(path)]) });
      const current = ++previewGeneration;
      if (isDirectory || removed) {
        set({ preview: undefined });
        return;
      }
      await track<FileContent>(
        undefined,
        (next) => {
          if (current === previewGeneration) set({ preview: next });
        },
        () => api.call('images.readFile', { reference, path }),
      );
    },
  };
});

/** The merged tree up to `layer`, with the layer's own changes marked, plus what it removed. */
export function layerTree(after: readonly MergedEntry[], before: readonly MergedEntry[], layer: number): TreeInput[] {
  const previous = new Map(before.map((entry) => [entry.path, entry]));
  const inputs: TreeInput[] = [];
  const present = new Set<string>();
  for (const entry of after) {
    present.add(entry.path);
    const old = previous.get(entry.path);
    const changed = entry.layer === layer;
    const isDirectory = entry.type === 'dir';
    inputs.push({
      path: entry.path,
      type: entry.type,
      layer: entry.layer,
      ...(entry.linkTarget !== undefined ? { linkTarget: entry.linkTarget } : {}),
      // A directory entry re-written by a layer (its mtime changed) is noise unless it is new.
      ...(changed && !(isDirectory && old) ? { change: old ? ('modified' as const) : ('added' as const) } : {}),
      sizeA: isDirectory ? 0 : changed ? (old?.size ?? 0) : entry.size,
      sizeB: isDirectory ? 0 : entry.size,
    });
  }
  for (const entry of before) {
    if (present.has(entry.path)) continue;
    inputs.push({
      path: entry.path,
      type: entry.type,
      layer: entry.layer,
      change: 'removed',
      sizeA: entry.type === 'dir' ? 0 : entry.size,
      sizeB: 0,
    });
  }
  return inputs;
}
