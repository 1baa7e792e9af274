import type { Contract, RequestName, RequestResult, ValidInput } from '../../shared/contract';
import type { OperationKind, ProgressState } from '../../shared/types/operations';

/** What a handler gets besides its validated input. No handler knows which transport called it. */
export interface CallContext {
  /** Aborted when the caller cancels (`operations.cancel`) or disconnects. */
  signal: AbortSignal;
  /** The operation id the caller chose, for progress events; generated when absent. */
  operationId: string;
}

/** The context of a request whose contract entry declares a progress kind. */
export interface ProgressContext extends CallContext {
  /** The work's state now, for `operation.progress` (throttled, and ended by the dispatcher; see api/progress.ts). */
  report(state: ProgressState): void;
}

/** The requests that report `operation.progress`, as the contract declares them. */
export type ProgressRequest = {
  [K in RequestName]: Contract[K] extends { progress: OperationKind } ? K : never;
}[RequestName];

export type Handler<K extends RequestName> = (
  input: ValidInput<K>,
  ctx: K extends ProgressRequest ? ProgressContext : CallContext,
) => Promise<RequestResult<K>>;

/** Every request but `operations.cancel`, which the dispatcher answers itself. */
export type HandledRequest = Exclude<RequestName, 'operations.cancel'>;

export type Handlers = { [K in HandledRequest]: Handler<K> };
