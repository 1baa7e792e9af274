/**
 * The promotion audit log (`promotion.audit`): the text query goes to main (it searches every field of
 * the whole log), the outcome filter applies to what came back.
 */
import type { AuditEntry, AuditOutcome } from '../../shared/types/promotion';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'refused', 'cancelled'];
/** Entries fetched per query: the newest ones. */
export const HISTORY_LIMIT = 1000;

export interface HistoryState {
  query: string;
  outcomes: ReadonlySet<AuditOutcome>;
  entries?: Loadable<AuditEntry[]>;
  load(query: string): Promise<void>;
  toggleOutcome(outcome: AuditOutcome): void;
}

export const useHistory = apiStore<HistoryState>((api) => (set, get) => {
  let generation = 0;
  return {
    query: '',
    outcomes: new Set(AUDIT_OUTCOMES),
    async load(query) {
      const current = ++generation;
      set({ query });
      const text = query.trim();
      await track(
        get().entries,
        (entries) => {
          if (current === generation) set({ entries });
        },
        () => api.call('promotion.audit', { limit: HISTORY_LIMIT, ...(text ? { query: text } : {}) }),
      );
    },
    toggleOutcome(outcome) {
      const outcomes = new Set(get().outcomes);
      if (outcomes.has(outcome)) outcomes.delete(outcome);
      else outcomes.add(outcome);
      set({ outcomes });
    },
  };
});

/** Newest first, restricted to the chosen outcomes. */
export function visibleEntries(entries: readonly AuditEntry[], outcomes: ReadonlySet<AuditOutcome>): AuditEntry[] {
  return entries.filter((e) => outcomes.has(e.outcome)).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
