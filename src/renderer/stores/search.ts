/**
 * The search box's state: the query and its results from the local index (`search.query`: repositories and
 * tags of every registry already seen). Only the latest query's answer is kept, so fast typing never
 * shows stale results.
 */
import type { SearchHit } from '../../shared/types/registry';
import { apiStore } from './api-store';
import { toErrorData, type Loadable } from './loadable';

export type { SearchHit };

export interface SearchState {
  open: boolean;
  query: string;
  results: Loadable<SearchHit[]>;
  setOpen(open: boolean): void;
  search(query: string): Promise<void>;
}

export const SEARCH_LIMIT = 100;

export const useSearch = apiStore<SearchState>((api) => (set, get) => {
  let latest = 0;
  return {
    open: false,
    query: '',
    results: { status: 'ready', value: [] },
    setOpen(open) {
      set({ open });
    },
    async search(query) {
      const ticket = ++latest;
      set({ query });
      if (query.trim() === '') {
        set({ results: { status: 'ready', value: [] } });
        return;
      }
      set({ results: { status: 'loading', value: get().results.value ?? [] } });
      try {
        const hits = await api.call('search.query', { query: query.trim(), limit: SEARCH_LIMIT });
        if (ticket === latest) set({ results: { status: 'ready', value: hits } });
      } catch (error) {
        if (ticket === latest) set({ results: { status: 'error', error: toErrorData(error) } });
      }
    },
  };
});
