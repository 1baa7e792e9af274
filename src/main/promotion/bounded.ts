import { setMaxListeners } from 'node:events';
import { BerthError } from '../../shared/errors';

/**
 * Runs `work` over `items` with at most `limit` in flight; `work` should pass the signal it gets to its
 * requests. The first failure aborts that signal for the others (so their transfers stop instead of running on for nothing), lets them settle, and is thrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  if (items.length === 0) return;
  const controller = new AbortController();
  // Every request in flight listens to the signal; more than Node's default 10 is expected here, not a leak.
  setMaxListeners(Math.max(10, limit * 8), controller.signal);
  const onOuterAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) throw abortError(signal);
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !controller.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item, controller.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  } finally {
    signal?.removeEventListener('abort', onOuterAbort);
  }
  if (signal?.aborted) throw abortError(signal);
  if (failure) throw failure.error;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof BerthError ? signal.reason : new BerthError('cancelled', 'Cancelled');
}
