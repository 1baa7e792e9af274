/**
 * The local Docker panel: the engine (`docker.engine`), its images (`docker.images`), and the pulls and
 * pushes started here with their per-layer progress, kept after they finish so the outcome (digest, or
 * the engine's error in full) stays on screen.
 */
import type { ErrorData } from '../../shared/errors';
import type { EngineInfo, LocalImage } from '../../shared/types/docker';
import type { ItemProgress } from '../../shared/types/operations';
import { apiStore } from './api-store';
import { toErrorData, track, type Loadable } from './loadable';
import { newOperationId, runOperation, useOperations } from './operations';

export type TransferKind = 'pull' | 'push';

export interface Transfer {
  id: string;
  kind: TransferKind;
  reference: string;
  phase: 'running' | 'done' | 'failed' | 'cancelled';
  status: string;
  current: number;
  total: number;
  /** Per layer, in the order the engine first reported them. */
  items: ItemProgress[];
  digest?: string;
  error?: ErrorData;
  startedAt: number;
}

export interface DockerState {
  engine?: Loadable<EngineInfo>;
  images?: Loadable<LocalImage[]>;
  /** Newest first. */
  transfers: Transfer[];
  /** The last tag/remove outcome, shown above the table. */
  notice?: { kind: 'ok' | 'error'; text: string; error?: ErrorData };

  load(): Promise<void>;
  refreshImages(): Promise<void>;
  pull(reference: string): Promise<void>;
  push(reference: string): Promise<void>;
  tag(source: string, target: string): Promise<boolean>;
  remove(reference: string, force?: boolean): Promise<void>;
  cancel(id: string): Promise<void>;
  dismiss(id: string): void;
  dismissNotice(): void;
}

/** The engine's per-layer end states (moby distribution/xfer): the layer needs nothing more. */
export const LAYER_COMPLETE = /^(Pull complete|Already exists|Pushed|Layer already exists|Mounted from )/;
/** States of a layer the engine had not started on (moby distribution/xfer). */
const LAYER_WAITING = /^(Waiting|Pulling fs layer|Preparing)$/;
/** The status a failed transfer leaves on a layer the engine was working on: it is where the failure happened. */
export const LAYER_FAILED = /^Failed while /;

/**
 * A failed transfer's layers as they ended: finished ones as they are, ones not started as such, and the
 * ones the engine was working on (downloading, extracting, pushing) marked as failed there.
 */
export function failedItems(items: readonly ItemProgress[]): ItemProgress[] {
  return items.map((item) => {
    if (LAYER_COMPLETE.test(item.status)) return item;
    if (LAYER_WAITING.test(item.status)) return { ...item, status: 'Not started' };
    return { ...item, status: `Failed while ${item.status.toLowerCase()}` };
  });
}

/** Finished transfers kept on screen; older ones drop off. */
const KEPT_TRANSFERS = 20;

export const useDocker = apiStore<DockerState>((api) => (set, get) => {
  const patch = (id: string, change: Partial<Transfer>) =>
    set({ transfers: get().transfers.map((t) => (t.id === id ? { ...t, ...change } : t)) });

  api.on('operation.progress', (event) => {
    const transfer = get().transfers.find((t) => t.id === event.operationId);
    if (!transfer || transfer.phase !== 'running') return;
    // The engine reports each layer's latest state; keep the first-seen order so bars do not jump.
    const items = event.items ? mergeItems(transfer.items, event.items) : transfer.items;
    patch(transfer.id, { status: event.status, current: event.current, total: event.total, items });
  });

  const transfer = async (kind: TransferKind, reference: string) => {
    const id = newOperationId();
    const entry: Transfer = {
      id,
      kind,
      reference,
      phase: 'running',
      status: 'Starting',
      current: 0,
      total: 0,
      items: [],
      startedAt: Date.now(),
    };
    set({ transfers: [entry, ...get().transfers].slice(0, KEPT_TRANSFERS) });
    try {
      const result = await runOperation(
        api,
        {
          id,
          kind: kind === 'pull' ? 'docker.pull' : 'docker.push',
          label: `${kind === 'pull' ? 'Pull' : 'Push'} ${reference}`,
        },
        (operationId) => api.call(kind === 'pull' ? 'docker.pull' : 'docker.push', { reference, operationId }),
      );
      const done = get().transfers.find((t) => t.id === id);
      patch(id, {
        phase: 'done',
        // Main's final event says only "Done"; say what happened, as the engine does (a pull with no layer to
        // report found the image up to date).
        status: kind === 'push' ? 'Pushed' : done?.items.length ? 'Pulled' : 'Image is up to date',
        ...(result.digest ? { digest: result.digest } : {}),
        // Complete: every layer and the whole at 100%, whatever the last event said.
        current: done && done.total > 0 ? done.total : 1,
        total: done && done.total > 0 ? done.total : 1,
        items: (done?.items ?? []).map((item) => ({ ...item, current: item.total > 0 ? item.total : item.current })),
      });
      if (kind === 'pull') await get().refreshImages();
    } catch (error) {
      const data = toErrorData(error);
      const cancelled = data.code === 'cancelled';
      const items = get().transfers.find((t) => t.id === id)?.items ?? [];
      patch(id, {
        phase: cancelled ? 'cancelled' : 'failed',
        status: cancelled ? 'Cancelled' : 'Failed',
        error: data,
        ...(cancelled ? {} : { items: failedItems(items) }),
      });
    }
  };

  return {
    transfers: [],

    async load() {
      await track(
        get().engine,
        (engine) => set({ engine }),
        () => api.call('docker.engine', {}),
      );
      if (get().engine?.value?.reachable) await get().refreshImages();
    },

    async refreshImages() {
      await track(
        get().images,
        (images) => set({ images }),
        () => api.call('docker.images', {}),
      );
    },

    pull: (reference) => transfer('pull', reference),
    push: (reference) => transfer('push', reference),

    async tag(source, target) {
      try {
        await api.call('docker.tag', { source, target });
        set({ notice: { kind: 'ok', text: `Tagged ${source} as ${target}.` } });
        await get().refreshImages();
        return true;
      } catch (error) {
        const data = toErrorData(error);
        set({ notice: { kind: 'error', text: `Could not tag ${source} as ${target}.`, error: data } });
        return false;
      }
    },

    async remove(reference, force = false) {
      try {
        const { removed } = await api.call('docker.remove', { reference, force });
        set({
          notice: {
            kind: 'ok',
            text: `Removed ${reference}${removed.length > 1 ? ` (${removed.length} references and layers)` : ''}.`,
          },
        });
        await get().refreshImages();
      } catch (error) {
        set({ notice: { kind: 'error', text: `Could not remove ${reference}.`, error: toErrorData(error) } });
      }
    },

    async cancel(id) {
      await useOperations.of(api).getState().cancel(id);
    },

    dismiss(id) {
      set({ transfers: get().transfers.filter((t) => t.id !== id || t.phase === 'running') });
    },

    dismissNotice() {
      set({ notice: undefined });
    },
  };
});

/** Updates known items in place and appends new ones, so each layer keeps its row. */
export function mergeItems(previous: readonly ItemProgress[], latest: readonly ItemProgress[]): ItemProgress[] {
  const byId = new Map(latest.map((item) => [item.id, item]));
  const merged = previous.map((item) => byId.get(item.id) ?? item);
  const known = new Set(previous.map((item) => item.id));
  for (const item of latest) if (!known.has(item.id)) merged.push(item);
  return merged;
}
