import { createContext, useContext, type ReactNode } from 'react';
import type { BerthApi } from '../../shared/contract';

const ApiContext = createContext<BerthApi | null>(null);

/** Components and stores get the API from here, so tests render them with a real client of their choice. */
export function ApiProvider({ api, children }: { api: BerthApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): BerthApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
