/**
 * Long-running work the user should see: every `operation.progress` event from main (pulls, pushes,
 * promotions, layer indexing, tag details), plus work the renderer aggregates itself (fetching details for
 * 2,000 tags in chunks is one operation to the user). The status bar renders this store.
 *
 * To run a request with progress:
 *   const result = await runOperation(api, { kind: 'docker.pull', label: `Pull ${ref}` }, (operationId) =>
 *     api.call('docker.pull', { reference: ref, operationId }));
 * Main's progress events for that operationId then update the entry; it finishes (or fails) with the call.
 */
import type { BerthApi } from '../../shared/contract';
import type { ErrorData } from '../../shared/errors';
import type { ItemProgress, OperationKind, OperationProgress } from '../../shared/types/operations';
import { apiStore } from './api-store';
import { toErrorData } from './loadable';

export interface OperationEntry {
  id: string;
  kind: OperationKind;
  /** What the user started, e.g. "Pull 127.0.0.1:5000/app:1.0" or "Tag details for team-a/app". */
  label: string;
  /** Current phase from main ("Downloading", "Mounting blobs"...). */
  status: string;
  current: number;
  /** 0 when unknown (the bar then shows activity without a percentage). */
  total: number;
  items?: ItemProgress[];
  done: boolean;
  error?: ErrorData;
  /** Cancellable through `operations.cancel` (main knows the id). */
  cancellable: boolean;
  startedAt: number;
}

export interface StartOptions {
  id?: string;
  kind: OperationKind;
  label: string;
  total?: number;
  /** False for work aggregated in the renderer that main cannot cancel by this id. Default true. */
  cancellable?: boolean;
}

export interface OperationsState {
  /** Entries by id; `order` keeps the order they started in. */
  entries: Record<string, OperationEntry>;
  order: string[];
  start(options: StartOptions): string;
  update(id: string, patch: Partial<Pick<OperationEntry, 'status' | 'current' | 'total' | 'items' | 'label'>>): void;
  finish(id: string, error?: unknown): void;
  /** Progress events of `childId` (one request of several) are folded into its parent by the caller. */
  adopt(childId: string, parentId: string): void;
  /** Asks main to cancel the operation and every request it adopted. */
  cancel(id: string): Promise<void>;
  /** Removes a finished entry (failed ones stay until dismissed). */
  dismiss(id: string): void;
}

/** Finished operations stay visible this long so a fast one is still noticed; failures stay until dismissed. */
export const DONE_VISIBLE_MS = 4000;

export function newOperationId(): string {
  return globalThis.crypto.randomUUID();
}

export const useOperations = apiStore<OperationsState>((api) => (set, get) => {
  const children = new Map<string, string>();
  const childrenOf = (parentId: string) =>
    [...children].filter(([, parent]) => parent === parentId).map(([child]) => child);

  const applyEvent = (event: OperationProgress) => {
    if (children.has(event.operationId)) return;
    const existing = get().entries[event.operationId];
    const entry: OperationEntry = {
      id: event.operationId,
      kind: event.kind,
      label: existing?.label ?? defaultLabel(event.kind),
      status: event.status,
      current: event.current,
      total: event.total,
      ...(event.items ? { items: event.items } : {}),
      done: existing?.done ?? false,
      ...(event.error ? { error: event.error } : {}),
      cancellable: existing?.cancellable ?? true,
      startedAt: existing?.startedAt ?? Date.now(),
    };
    set((s) => ({ entries: { ...s.entries, [entry.id]: entry }, order: existing ? s.order : [...s.order, entry.id] }));
    if (event.done) get().finish(event.operationId, event.error);
  };
  api.on('operation.progress', applyEvent);

  return {
    entries: {},
    order: [],
    start(options) {
      const id = options.id ?? newOperationId();
      const entry: OperationEntry = {
        id,
        kind: options.kind,
        label: options.label,
        status: 'Starting',
        current: 0,
        total: options.total ?? 0,
        done: false,
        cancellable: options.cancellable ?? true,
        startedAt: Date.now(),
      };
      set((s) => ({
        entries: { ...s.entries, [id]: entry },
        order: s.order.includes(id) ? s.order : [...s.order, id],
      }));
      return id;
    },
    update(id, patch) {
      const entry = get().entries[id];
      if (!entry || entry.done) return;
      set((s) => ({ entries: { ...s.entries, [id]: { ...entry, ...patch } } }));
    },
    finish(id, error) {
      const entry = get().entries[id];
      for (const child of childrenOf(id)) children.delete(child);
      if (!entry) return;
      const failure = error === undefined ? undefined : toErrorData(error);
      const finished: OperationEntry = {
        ...entry,
        done: true,
        status: failure ? (failure.code === 'cancelled' ? 'Cancelled' : 'Failed') : 'Done',
        ...(failure ? { error: failure } : {}),
        ...(failure || entry.total === 0 ? {} : { current: entry.total }),
      };
      set((s) => ({ entries: { ...s.entries, [id]: finished } }));
      if (!failure || failure.code === 'cancelled') setTimeout(() => get().dismiss(id), DONE_VISIBLE_MS);
    },
    adopt(childId, parentId) {
      children.set(childId, parentId);
    },
    async cancel(id) {
      const ids = [id, ...childrenOf(id)];
      await Promise.all(
        ids.map((operationId) => api.call('operations.cancel', { operationId }).catch(() => undefined)),
      );
    },
    dismiss(id) {
      const entry = get().entries[id];
      if (!entry?.done) return;
      set((s) => {
        const { [id]: _removed, ...entries } = s.entries;
        return { entries, order: s.order.filter((o) => o !== id) };
      });
    },
  };
});

const KIND_LABELS: Record<OperationKind, string> = {
  'docker.pull': 'Docker pull',
  'docker.push': 'Docker push',
  promotion: 'Promotion',
  'layers.index': 'Indexing layer',
  'registry.tagDetails': 'Fetching tag details',
  'registry.index': 'Indexing registry',
  'storage.usage': 'Reading storage usage',
  sync: 'Sync',
  lineage: 'Reading layer chains',
  matrix: 'Reading the drift matrix',
  'lifecycle.delete': 'Deleting',
};

function defaultLabel(kind: OperationKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/**
 * Runs one request as a visible operation: the entry starts before the call (so early progress events
 * land on it) and finishes or fails with the call, whose result or error is passed through.
 */
export async function runOperation<T>(
  api: BerthApi,
  options: StartOptions,
  call: (operationId: string) => Promise<T>,
): Promise<T> {
  const store = useOperations.of(api).getState();
  const id = store.start(options);
  try {
    const result = await call(id);
    useOperations.of(api).getState().finish(id);
    return result;
  } catch (error) {
    useOperations.of(api).getState().finish(id, error);
    throw error;
  }
}
