/**
 * Deleting from the tag table (issue 16): the tags selected per repository (click, shift range, ctrl/cmd
 * toggle, all matching the filter), the removal plan with its blast radius, its execution with per-step
 * progress, and the retention preview / apply of one repository. Every write goes through a plan the user
 * saw: `lifecycle.remove` and `retention.apply` get exactly that plan back.
 */
import type { OperationProgress } from '../../shared/types/operations';
import type {
  RemovePlan,
  RemoveResult,
  RetentionPlan,
  RetentionPolicy,
  RetentionResult,
  StoredRetentionPolicy,
} from '../../shared/types/deletion';
import { withScopePolicy } from '../../shared/retention-scopes';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { runOperation } from './operations';

export type SelectMode = 'only' | 'toggle' | 'range';

export interface DeletionState {
  /** `registryId \0 repository` -> selected tags. */
  selected: Record<string, string[]>;
  anchors: Record<string, string>;
  select(key: string, tag: string, mode: SelectMode, order: readonly string[]): void;
  selectAll(key: string, tags: readonly string[]): void;
  clear(key: string): void;

  plan: Loadable<RemovePlan> | null;
  /** Step key (`repo:tag` or `repo@digest`) -> what happened to it. */
  progress: Record<string, 'done' | 'already-gone'>;
  result: Loadable<RemoveResult> | null;
  planRemove(references: string[], digest: boolean, withReferrers?: boolean): Promise<void>;
  remove(): Promise<void>;
  resetRemove(): void;

  retentionPlan: Loadable<RetentionPlan> | null;
  retentionResult: Loadable<RetentionResult> | null;
  previewRetention(scope: string, policy: RetentionPolicy): Promise<void>;
  applyRetention(): Promise<void>;
  resetRetention(): void;

  /** The stored retention policies (Settings' `retention`), read when the retention dialog opens. */
  storedPolicies: Loadable<StoredRetentionPolicy[]> | null;
  /** Resolves with the policies (undefined when they could not be read). */
  loadPolicies(): Promise<StoredRetentionPolicy[] | undefined>;
  /** Stores `policy` as the policy of exactly `scope` (replacing the one it had); undefined when it failed. */
  savePolicy(scope: string, policy: RetentionPolicy): Promise<StoredRetentionPolicy[] | undefined>;
}

export const selectionKey = (registryId: string, repository: string) => `${registryId}\u0000${repository}`;

export const useDeletion = apiStore<DeletionState>((api) => (set, get) => ({
  selected: {},
  anchors: {},
  select(key, tag, mode, order) {
    const current = new Set(get().selected[key] ?? []);
    const anchor = get().anchors[key];
    if (mode === 'range' && anchor !== undefined && order.includes(anchor)) {
      const [from, to] = [order.indexOf(anchor), order.indexOf(tag)].sort((a, b) => a - b) as [number, number];
      for (const name of order.slice(from, to + 1)) current.add(name);
    } else if (mode === 'toggle' || mode === 'range') {
      if (current.has(tag)) current.delete(tag);
      else current.add(tag);
    } else {
      current.clear();
      current.add(tag);
    }
    set({
      selected: { ...get().selected, [key]: [...current] },
      anchors: mode === 'range' ? get().anchors : { ...get().anchors, [key]: tag },
    });
  },
  selectAll(key, tags) {
    set({ selected: { ...get().selected, [key]: [...new Set([...(get().selected[key] ?? []), ...tags])] } });
  },
  clear(key) {
    const { [key]: _dropped, ...rest } = get().selected;
    set({ selected: rest });
  },

  plan: null,
  progress: {},
  result: null,
  async planRemove(references, digest, withReferrers = true) {
    set({ progress: {}, result: null });
    await track(
      get().plan ?? undefined,
      (plan) => set({ plan }),
      () => api.call('lifecycle.planRemove', { references, digest, withReferrers }),
    );
  },
  async remove() {
    const plan = get().plan?.value;
    if (!plan) return;
    const orphanedReferrers = plan.radius.flatMap((radius) => radius.orphanedReferrers.map((entry) => entry.reference));
    await track(
      undefined,
      (result) => set({ result }),
      () =>
        runOperation(api, { kind: 'lifecycle.delete', label: 'Delete tags' }, (operationId) => {
          const stop = api.on('operation.progress', (event: OperationProgress) => {
            if (event.operationId !== operationId) return;
            for (const item of event.items ?? [])
              if (item.status === 'done' || item.status === 'already-gone')
                set({ progress: { ...get().progress, [item.id]: item.status } });
          });
          return api.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers, operationId }).finally(stop);
        }),
    );
  },
  resetRemove() {
    set({ plan: null, progress: {}, result: null });
  },

  retentionPlan: null,
  retentionResult: null,
  async previewRetention(scope, policy) {
    set({ retentionResult: null });
    await track(
      get().retentionPlan ?? undefined,
      (retentionPlan) => set({ retentionPlan }),
      () =>
        runOperation(api, { kind: 'lifecycle.delete', label: 'Retention preview' }, (operationId) =>
          api.call('retention.plan', { scope, policy, operationId }),
        ),
    );
  },
  async applyRetention() {
    const plan = get().retentionPlan?.value;
    if (!plan) return;
    await track(
      undefined,
      (retentionResult) => set({ retentionResult }),
      () =>
        runOperation(api, { kind: 'lifecycle.delete', label: 'Apply retention' }, (operationId) =>
          api.call('retention.apply', { plan, operationId }),
        ),
    );
  },
  resetRetention() {
    set({ retentionPlan: null, retentionResult: null });
  },

  storedPolicies: null,
  loadPolicies() {
    return track(
      get().storedPolicies ?? undefined,
      (storedPolicies) => set({ storedPolicies }),
      () => api.call('retention.policies', {}),
    );
  },
  savePolicy(scope, policy) {
    return track(
      get().storedPolicies ?? undefined,
      (storedPolicies) => set({ storedPolicies }),
      async () =>
        api.call('retention.setPolicies', {
          // Read again first, so a policy another window saved meanwhile is kept.
          policies: withScopePolicy(await api.call('retention.policies', {}), scope, policy),
        }),
    );
  },
}));
