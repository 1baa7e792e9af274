import { randomUUID } from 'node:crypto';
import { contract, isRequestName, type EventMap, type EventName, type RequestName } from '../../shared/contract';
import { BerthError, type ErrorData, type Outcome } from '../../shared/errors';
import type { OperationKind } from '../../shared/types/operations';
import { abortError } from '../util/async';
import type { EventHub } from '../util/event-hub';
import { createProgress } from './progress';
import type { Handlers } from './types';

export type EventSink = <E extends EventName>(event: E, payload: EventMap[E]) => void;

export interface Dispatcher {
  /** Validates, runs, and maps every failure to data. Never throws. */
  call(name: unknown, input: unknown, sink: EventSink, signal?: AbortSignal): Promise<Outcome<unknown>>;
  /**
   * Events not tied to one call (`registry.changed`) go to every subscriber: each transport subscribes one
   * sink per window or connection and unsubscribes when it closes.
   */
  subscribe(sink: EventSink): () => void;
}

export interface DispatcherOptions {
  /** Called with every failure that is not a BerthError (a bug), for the log. Never sent to the caller. */
  onInternalError?: (name: string, error: unknown) => void;
  /** Where the services publish events for every window (none: subscribers hear nothing). */
  events?: EventHub;
  /** Shortest time between two progress events of one operation (default `PROGRESS_INTERVAL_MS`). */
  progressIntervalMs?: number;
}

/**
 * The contract's door: every transport (IPC, serve WebSocket, CLI) goes through here, so validation,
 * cancellation and error mapping exist once.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions = {}): Dispatcher {
  const running = new Map<string, AbortController>();

  async function call(name: unknown, input: unknown, sink: EventSink, signal?: AbortSignal): Promise<Outcome<unknown>> {
    if (!isRequestName(name)) {
      return {
        ok: false,
        error: { code: 'invalid_input', message: `Unknown request ${JSON.stringify(String(name)).slice(0, 80)}` },
      };
    }
    const parsed = contract[name].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      return {
        ok: false,
        error: { code: 'invalid_input', message: `Invalid input for ${name}${where}: ${issue?.message ?? 'rejected'}` },
      };
    }
    if (name === 'operations.cancel') {
      const { operationId } = parsed.data as { operationId: string };
      const controller = running.get(operationId);
      controller?.abort(new BerthError('cancelled', 'Cancelled by the user'));
      return { ok: true, value: { cancelled: controller !== undefined } };
    }
    const data = parsed.data as { operationId?: string };
    const operationId = data.operationId ?? randomUUID();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    running.set(operationId, controller);
    // Declared in the contract, so that every request that reports progress ends it the same way.
    const kind = (contract[name] as { progress?: OperationKind }).progress;
    const progress = kind
      ? createProgress({
          operationId,
          kind,
          send: (event) => sink('operation.progress', event),
          ...(options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {}),
        })
      : undefined;
    try {
      const handler = handlers[name] as (input: unknown, ctx: unknown) => Promise<unknown>;
      const value = await handler(parsed.data, {
        signal: controller.signal,
        operationId,
        ...(progress ? { report: progress.report } : {}),
      });
      progress?.end();
      return { ok: true, value };
    } catch (error) {
      const data = toErrorData(name, error, controller.signal, options);
      progress?.end(data);
      return { ok: false, error: data };
    } finally {
      running.delete(operationId);
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  return {
    call,
    subscribe: (sink) => options.events?.subscribe(sink) ?? (() => undefined),
  };
}

function toErrorData(name: RequestName, error: unknown, signal: AbortSignal, options: DispatcherOptions): ErrorData {
  if (error instanceof BerthError) return error.toData();
  // A handler that fails with something else after a cancel still answers with the cancel's own message.
  if (signal.aborted) return abortError(signal).toData();
  options.onInternalError?.(name, error);
  return { code: 'internal', message: `${name} failed unexpectedly; see the log for details` };
}
