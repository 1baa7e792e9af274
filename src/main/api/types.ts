import type { EventMap, EventName, RequestName, RequestResult, ValidInput } from '../../shared/contract';

/** What a handler gets besides its validated input. No handler knows which transport called it. */
export interface CallContext {
  /** Aborted when the caller cancels (`operations.cancel`) or disconnects. */
  signal: AbortSignal;
  /** The operation id the caller chose, for progress events; generated when absent. */
  operationId: string;
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

export type Handler<K extends RequestName> = (input: ValidInput<K>, ctx: CallContext) => Promise<RequestResult<K>>;

/** Every request but `operations.cancel`, which the dispatcher answers itself. */
export type HandledRequest = Exclude<RequestName, 'operations.cancel'>;

export type Handlers = { [K in HandledRequest]: Handler<K> };
