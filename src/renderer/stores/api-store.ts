/**
 * How the renderer's stores are made. A store is created per API client (the `BerthApi` from
 * `<ApiProvider>`), so a test that renders with its own client gets fresh stores, and the desktop app and
 * `berth serve` each have exactly one set.
 *
 *   export const useThings = apiStore<ThingsState>((api) => (set, get) => ({ ...state and actions }));
 *   const count = useThings((s) => s.items.length);        // in a component (a selector, as with zustand)
 *   useThings.of(api).getState().load();                   // outside React (tests, other stores)
 *
 * Selectors that build new objects or arrays must be wrapped with zustand's `useShallow`.
 */
import { useStore, type StateCreator, type StoreApi } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { BerthApi } from '../../shared/contract';
import { useApi } from '../api/context';

export interface ApiStoreHook<S> {
  <T>(selector: (state: S) => T): T;
  /** The store bound to `api` (created on first use). */
  of(api: BerthApi): StoreApi<S>;
}

export function apiStore<S>(initializer: (api: BerthApi) => StateCreator<S>): ApiStoreHook<S> {
  const stores = new WeakMap<BerthApi, StoreApi<S>>();
  const of = (api: BerthApi): StoreApi<S> => {
    let store = stores.get(api);
    if (!store) {
      store = createStore<S>()(initializer(api));
      stores.set(api, store);
    }
    return store;
  };
  function useApiStore<T>(selector: (state: S) => T): T {
    return useStore(of(useApi()), selector);
  }
  useApiStore.of = of;
  return useApiStore;
}
