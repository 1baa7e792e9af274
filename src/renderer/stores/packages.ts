/**
 * Packages in the UI: the package diff of the compare view's pair (`packages.diff`), read when the
 * Packages tab is opened (it reads each image's package databases once more) and kept by pair for the
 * session.
 */
import type { PackageDiff } from '../../shared/types/packages';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { newOperationId, runOperation } from './operations';

export interface PackagesState {
  /** By pair (`a` NUL `b`). */
  diffs: Record<string, Loadable<PackageDiff>>;
  /** Loads the pair's package diff unless it is loaded or loading; `again` reloads it (after an error). */
  loadDiff(a: string, b: string, again?: boolean): Promise<void>;
}

export const pairKey = (a: string, b: string): string => `${a}\u0000${b}`;

export const usePackages = apiStore<PackagesState>((api) => (set, get) => ({
  diffs: {},
  async loadDiff(a, b, again = false) {
    const key = pairKey(a, b);
    const current = get().diffs[key];
    if (current && !again && current.status !== 'error') return;
    await track(
      current,
      (next) => set((s) => ({ diffs: { ...s.diffs, [key]: next } })),
      () =>
        runOperation(api, { id: newOperationId(), kind: 'layers.index', label: `Packages of ${a} and ${b}` }, (id) =>
          api.call('packages.diff', { a, b, operationId: id }),
        ),
    );
  },
}));
