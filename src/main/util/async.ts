/**
 * The one home of Berth's concurrency plumbing: a semaphore, a bounded parallel map, and the one way an
 * abort becomes a `cancelled` error. Every service uses these, so cancellation behaves the same everywhere.
 */
import { setMaxListeners } from 'node:events';
import { BerthError } from '../../shared/errors';

/**
 * The error to throw for an aborted signal: its reason when that is already a BerthError (a cancel from the
 * user carries its own message), otherwise `cancelled` with the given message.
 */
export function abortError(signal: AbortSignal | undefined, message = 'Cancelled'): BerthError {
  const reason: unknown = signal?.reason;
  return reason instanceof BerthError ? reason : new BerthError('cancelled', message);
}

export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw abortError(signal, message);
}

/**
 * At most `limit` holders at once; waiters are served first come, first served. A waiter whose signal
 * aborts leaves the queue with `abortError` (with `message` when the reason is not a BerthError); a signal
 * that is already aborted is refused at once, even when a slot is free, so cancelled work never starts.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Semaphore limit must be at least 1, got ${limit}`);
  }

  /** Resolves with a release function (idempotent) once a slot is held. */
  async acquire(signal?: AbortSignal, message?: string): Promise<() => void> {
    throwIfAborted(signal, message);
    if (this.active < this.limit) this.active++;
    else {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.waiting.indexOf(grant);
          if (index !== -1) this.waiting.splice(index, 1);
          reject(abortError(signal, message));
        };
        // A released slot passes straight to the next waiter, so `active` stays counted for it.
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(grant);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal, message?: string): Promise<T> {
    const release = await this.acquire(signal, message);
    try {
      return await task();
    } finally {
      release();
    }
  }
}

/**
 * Maps `items` through `work` with at most `limit` in flight, keeping the input order in the result. `work`
 * gets a signal to pass to its requests: the first failure aborts it for the others (so their transfers stop
 * instead of running on for nothing), lets them settle, and is thrown. An outer abort throws `abortError`.
 * Work that wants to carry on past a failed item catches it itself and returns a value that says so.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  throwIfAborted(signal);
  const results = new Array<R>(items.length);
  if (items.length === 0) return results;
  const controller = new AbortController();
  // Every request in flight listens to this signal; more than Node's default 10 is expected, not a leak.
  setMaxListeners(Math.max(10, limit * 8), controller.signal);
  const onOuterAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !controller.signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index, controller.signal);
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
  throwIfAborted(signal);
  if (failure) throw failure.error;
  return results;
}
