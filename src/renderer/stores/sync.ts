/**
 * Sync in the UI: the rules (from settings, `sync.rules` / `sync.setRules`) and one run at a time, shown
 * as promotion shows its plan: dry run (`sync.plan`) -> the per-tag plan -> run (`sync.run`, a visible,
 * cancellable operation) -> result with each failure named.
 */
import type { ErrorData } from '../../shared/errors';
import type { SyncPlan, SyncResult, SyncRule, SyncTagPlan } from '../../shared/types/sync';
import { apiStore } from './api-store';
import { ready, toErrorData, track, type Loadable } from './loadable';
import { newOperationId, runOperation } from './operations';

export type SyncPhase = 'planning' | 'plan' | 'running' | 'done' | 'failed';

export interface SyncRun {
  rule: SyncRule;
  phase: SyncPhase;
  plan?: SyncPlan;
  operationId?: string;
  result?: SyncResult;
  error?: ErrorData;
}

export interface SyncState {
  rules?: Loadable<SyncRule[]>;
  run?: SyncRun;
  loadRules(): Promise<void>;
  /** Replaces the rules in settings; throws main's error (the form shows it). */
  saveRules(rules: SyncRule[]): Promise<void>;
  /** Plans `rule` (nothing is written) and shows the plan. */
  dryRun(rule: SyncRule): Promise<void>;
  /**
   * Runs exactly the shown plan (a tag moved since is refused and named); `overrideReason` writes tags whose
   * gates fail, the reason audited.
   */
  execute(overrideReason?: string): Promise<void>;
  /** Stops a running sync, or closes the plan. */
  cancel(): Promise<void>;
  close(): void;
}

/** How each tag of a finished run ended: written, failed (named in `failures`), or nothing to do. */
export type SyncTagOutcome = 'done' | 'failed' | 'unchanged';

export function tagOutcome(result: SyncResult, tag: SyncTagPlan): SyncTagOutcome {
  if (result.failures.some((failure) => failure.repository === tag.repository && failure.tag === tag.tag))
    return 'failed';
  return tag.action === 'new' || tag.action === 'overwrite' || tag.action === 'delete' ? 'done' : 'unchanged';
}

/** Whether a plan has anything to write (a plan of `same` and `differs` only does nothing). */
export function planWrites(plan: SyncPlan): number {
  return plan.tags.filter((tag) => tag.action === 'new' || tag.action === 'overwrite' || tag.action === 'delete')
    .length;
}

export const useSync = apiStore<SyncState>((api) => (set, get) => {
  let generation = 0;
  const patch = (at: number, next: Partial<SyncRun>) => {
    const run = get().run;
    if (run && at === generation) set({ run: { ...run, ...next } });
  };
  return {
    async loadRules() {
      await track(
        get().rules,
        (rules) => set({ rules }),
        () => api.call('sync.rules', {}),
      );
    },

    async saveRules(rules) {
      const saved = await api.call('sync.setRules', { rules });
      set({ rules: ready(saved) });
    },

    async dryRun(rule) {
      const at = ++generation;
      set({ run: { rule, phase: 'planning' } });
      try {
        patch(at, { phase: 'plan', plan: await api.call('sync.plan', { rule }) });
      } catch (error) {
        patch(at, { phase: 'failed', error: toErrorData(error) });
      }
    },

    async execute(overrideReason) {
      const run = get().run;
      if (!run || run.phase !== 'plan' || !run.plan) return;
      const { plan } = run;
      const at = generation;
      const operationId = newOperationId();
      patch(at, { phase: 'running', operationId });
      try {
        const result = await runOperation(
          api,
          { id: operationId, kind: 'sync', label: `Sync ${run.rule.source} to ${run.rule.target}` },
          (id) =>
            api.call('sync.run', {
              rule: plan.rule,
              plan: { planHash: plan.planHash, tags: plan.tags },
              ...(overrideReason?.trim() ? { override: { reason: overrideReason.trim() } } : {}),
              operationId: id,
            }),
        );
        patch(at, { phase: 'done', result });
      } catch (error) {
        patch(at, { phase: 'failed', error: toErrorData(error) });
      }
    },

    async cancel() {
      const run = get().run;
      if (run?.phase === 'running' && run.operationId) {
        await api.call('operations.cancel', { operationId: run.operationId }).catch(() => undefined);
        return;
      }
      get().close();
    },

    close() {
      generation++;
      set({ run: undefined });
    },
  };
});
