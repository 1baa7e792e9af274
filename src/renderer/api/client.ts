import type { BerthApi, EventMap, EventName, RequestInput, RequestName, RequestResult } from '../../shared/contract';
import { BerthError, type Outcome } from '../../shared/errors';
import { takeServeToken } from './serve-token';
import { createWebSocketApi } from './ws-client';

/** What the Electron preload exposes on `window.berth`: exactly the contract, outcomes as data. */
export interface PreloadBridge {
  invoke(name: RequestName, input: unknown): Promise<Outcome<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    berth?: PreloadBridge;
  }
}

function fromBridge(bridge: PreloadBridge): BerthApi {
  return {
    async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
      const outcome = await bridge.invoke(name, input);
      if (!outcome.ok) throw new BerthError(outcome.error.code, outcome.error.message, outcome.error.details);
      return outcome.value as RequestResult<K>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      return bridge.on(event, listener as (payload: unknown) => void);
    },
  };
}

/**
 * The desktop app talks through the preload bridge; `berth serve` through its WebSocket, with the token
 * taken out of the address bar here, once, before anything navigates.
 */
export function createApi(win: Window = window): BerthApi {
  return win.berth
    ? fromBridge(win.berth)
    : createWebSocketApi({ host: win.location.host, token: takeServeToken(win) });
}
