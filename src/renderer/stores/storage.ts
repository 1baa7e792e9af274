/**
 * Storage usage per registry (`storage.usage`). `load` shows what the registry index already knows at
 * once, then refreshes it as a visible operation (the status bar and the view's progress bar follow its
 * `operation.progress`), reading the index again every `POLL_MS` meanwhile, so a 2,000-tag repository fills
 * the bars in while its tags are read.
 */
import type { StorageUsage } from '../../shared/types/storage';
import { apiStore } from './api-store';
import { failed, loading, ready, type Loadable } from './loadable';
import { runOperation } from './operations';

export const POLL_MS = 1000;

export interface StorageState {
  usage: Record<string, Loadable<StorageUsage>>;
  /** The refresh running per registry (its operation id), for the progress bar. */
  refreshing: Record<string, string | undefined>;
  /** `name` labels the operation in the status bar (the registry id otherwise). */
  load(registryId: string, name?: string): Promise<void>;
}

export const useStorage = apiStore<StorageState>((api) => (set, get) => {
  const write = (registryId: string, next: Loadable<StorageUsage>) =>
    set((s) => ({ usage: { ...s.usage, [registryId]: next } }));
  const readIndex = (registryId: string) =>
    api.call('storage.usage', { registryId, refresh: false }).then(
      (value) => {
        // A late index read never overwrites the refresh's final answer.
        if (get().refreshing[registryId]) write(registryId, loading(ready(value)));
      },
      () => undefined,
    );
  return {
    usage: {},
    refreshing: {},
    async load(registryId, name = registryId) {
      if (get().refreshing[registryId]) return;
      write(registryId, loading(get().usage[registryId]));
      let operationId: string | undefined;
      const timer = setInterval(() => void readIndex(registryId), POLL_MS);
      try {
        const value = await runOperation(api, { kind: 'storage.usage', label: `Storage usage of ${name}` }, (id) => {
          operationId = id;
          set((s) => ({ refreshing: { ...s.refreshing, [registryId]: id } }));
          void readIndex(registryId);
          return api.call('storage.usage', { registryId, refresh: true, operationId: id });
        });
        write(registryId, ready(value));
      } catch (error) {
        write(registryId, failed(error, get().usage[registryId]));
      } finally {
        clearInterval(timer);
        if (get().refreshing[registryId] === operationId)
          set((s) => ({ refreshing: { ...s.refreshing, [registryId]: undefined } }));
      }
    },
  };
});
