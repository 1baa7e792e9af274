import { randomUUID } from 'node:crypto';
import { contract, isRequestName, type EventMap, type EventName, type RequestName } from '../../shared/contract';
import { BerthError, type ErrorData, type Outcome } from '../../shared/errors';
import { abortError } from '../util/async';
import type { Handlers } from './types';

export type EventSink = <E extends EventName>(event: E, payload: EventMap[E]) => void;

export interface Dispatcher {
  /** Validates, runs, and maps every failure to data. Never throws. */
  call(name: unknown, input: unknown, sink: EventSink, signal?: AbortSignal): Promise<Outcome<unknown>>;
}

export interface DispatcherOptions {
  /** Called with every failure that is not a BerthError (a bug), for the log. Never sent to the caller. */
  onInternalError?: (name: string, error: unknown) => void;
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
    try {
      const handler = handlers[name] as (input: unknown, ctx: unknown) => Promise<unknown>;
      const value = await handler(parsed.data, { signal: controller.signal, operationId, emit: sink });
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorData(name, error, controller.signal, options) };
    } finally {
      running.delete(operationId);
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  return { call };
}

function toErrorData(name: RequestName, error: unknown, signal: AbortSignal, options: DispatcherOptions): ErrorData {
  if (error instanceof BerthError) return error.toData();
  // A handler that fails with something else after a cancel still answers with the cancel's own message.
  if (signal.aborted) return abortError(signal).toData();
  options.onInternalError?.(name, error);
  return { code: 'internal', message: `${name} failed unexpectedly; see the log for details` };
}
