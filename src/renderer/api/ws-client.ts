import type { BerthApi, EventMap, EventName, RequestInput, RequestName, RequestResult } from '../../shared/contract';
import { BerthError } from '../../shared/errors';
import { API_PATH, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerMessage } from '../../shared/wire';
import { MISSING_TOKEN } from './serve-token';

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * The `berth serve` transport: one WebSocket to the server that served this page, authenticated by the
 * token (see serve-token.ts; sent as a subprotocol, never in a URL).
 */
export function createWebSocketApi(
  server: { host: string; token: string | undefined },
  WebSocketImpl: typeof WebSocket = WebSocket,
): BerthApi {
  const { host, token } = server;
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: Promise<WebSocket> | undefined;

  const failAll = (error: BerthError) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  function connect(): Promise<WebSocket> {
    if (!token) {
      return Promise.reject(
        new BerthError(
          'unauthorized',
          'This page needs the link with its token: copy the full URL that `berth serve` printed.',
          { [MISSING_TOKEN]: true },
        ),
      );
    }
    socket ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocketImpl(`ws://${host}${API_PATH}`, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
      ws.onopen = () => resolve(ws);
      ws.onerror = () =>
        reject(
          new BerthError(
            'unauthorized',
            'Berth refused the connection: the token is wrong or the server has stopped. Open the URL `berth serve` printed.',
          ),
        );
      ws.onclose = (event) => {
        socket = undefined;
        // The server's reason when it gives one (e.g. too many connections open), else a likely cause.
        failAll(
          new BerthError(
            'unreachable',
            event.reason || 'The connection to Berth closed. Is `berth serve` still running?',
          ),
        );
      };
      ws.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as ServerMessage;
        if (message.type === 'event') {
          for (const l of listeners.get(message.event) ?? []) l(message.payload as never);
          return;
        }
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        if (message.ok) entry.resolve(message.value);
        else entry.reject(new BerthError(message.error.code, message.error.message, message.error.details));
      };
    });
    return socket;
  }

  return {
    async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
      const ws = await connect();
      const id = nextId++;
      return new Promise<RequestResult<K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ type: 'call', id, name, input }));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
