/** Messages of the `berth serve` WebSocket transport. The same contract as IPC, framed as JSON. */
import type { EventMap, EventName, RequestName } from './contract';
import type { Outcome } from './errors';

export interface CallMessage {
  type: 'call';
  id: number;
  name: RequestName;
  input: unknown;
}

export type ResultMessage = { type: 'result'; id: number } & Outcome<unknown>;

export interface EventMessage<E extends EventName = EventName> {
  type: 'event';
  event: E;
  payload: EventMap[E];
}

export type ServerMessage = ResultMessage | EventMessage;

/** WebSocket subprotocols the client offers: the app's own, then the token. */
export const WIRE_PROTOCOL = 'berth.v1';
export const TOKEN_PROTOCOL_PREFIX = 'berth.token.';
export const API_PATH = '/api';
