/**
 * Shell state that is not data: which sidebar nodes are open and which app-wide dialog is showing. Any
 * view opens a dialog through here (e.g. an "unauthorized" error offers sign-in) and the shell renders it.
 */
import { apiStore } from './api-store';

export type AppDialog =
  | { kind: 'signIn'; registryId: string }
  | { kind: 'addRegistry' }
  | { kind: 'addRepository'; registryId: string; namespace?: string }
  | { kind: 'importDocker' };

export interface UiState {
  /** Ids of expanded sidebar tree nodes. */
  expanded: string[];
  dialog: AppDialog | null;
  setExpanded(id: string, expanded: boolean): void;
  expand(ids: string[]): void;
  openDialog(dialog: AppDialog): void;
  closeDialog(): void;
}

export const useUi = apiStore<UiState>(() => (set, get) => ({
  expanded: [],
  dialog: null,
  setExpanded(id, expanded) {
    const has = get().expanded.includes(id);
    if (has === expanded) return;
    set((s) => ({ expanded: expanded ? [...s.expanded, id] : s.expanded.filter((e) => e !== id) }));
  },
  expand(ids) {
    const missing = ids.filter((id) => !get().expanded.includes(id));
    if (missing.length > 0) set((s) => ({ expanded: [...s.expanded, ...missing] }));
  },
  openDialog(dialog) {
    set({ dialog });
  },
  closeDialog() {
    set({ dialog: null });
  },
}));
