import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import { abortError, mapBounded, Semaphore } from '../../../src/main/util/async';
import { LruMap } from '../../../src/main/util/lru';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('abortError', () => {
  it('keeps a BerthError reason and turns anything else into cancelled with the given message', () => {
    const user = new AbortController();
    user.abort(new BerthError('cancelled', 'Cancelled by the user'));
    expect(abortError(user.signal).message).toBe('Cancelled by the user');
    const plain = new AbortController();
    plain.abort();
    const error = abortError(plain.signal, 'Indexing was cancelled');
    expect(error).toBeInstanceOf(BerthError);
    expect([error.code, error.message]).toEqual(['cancelled', 'Indexing was cancelled']);
  });
});

describe('Semaphore', () => {
  it('holds at most `limit` and serves waiters in order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    let active = 0;
    let peak = 0;
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        semaphore.run(async () => {
          order.push(n);
          peak = Math.max(peak, ++active);
          await tick();
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses an already aborted signal even with a slot free, and a waiter leaves the queue on abort', async () => {
    const semaphore = new Semaphore(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(semaphore.acquire(aborted.signal)).rejects.toMatchObject({ code: 'cancelled' });
    await expect(semaphore.acquire(aborted.signal, 'Cancelled: pull x')).rejects.toMatchObject({
      code: 'cancelled',
      message: 'Cancelled: pull x',
    });

    const release = await semaphore.acquire();
    const waiter = new AbortController();
    const waiting = semaphore.acquire(waiter.signal, 'Cancelled: push y');
    waiter.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled', message: 'Cancelled: push y' });
    release();
    release(); // idempotent: must not free a second slot
    const first = await semaphore.acquire();
    let secondHeld = false;
    void semaphore.acquire().then(() => (secondHeld = true));
    await tick();
    expect(secondHeld).toBe(false);
    first();
    await tick();
    expect(secondHeld).toBe(true);
  });
});

describe('mapBounded', () => {
  it('keeps input order and never exceeds the limit', async () => {
    let active = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3], 2, undefined, async (n, index) => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setTimeout(resolve, n));
      active--;
      return `${index}:${n}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(peak).toBe(2);
  });

  it('throws the first failure, aborts the others and starts no new work', async () => {
    const started: number[] = [];
    let sawAbort = false;
    const failure = new BerthError('unreachable', 'target went away');
    const run = mapBounded([1, 2, 3, 4, 5, 6], 2, undefined, async (n, _index, signal) => {
      started.push(n);
      if (n === 1) throw failure;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = signal.aborted;
    });
    await expect(run).rejects.toBe(failure);
    expect(sawAbort).toBe(true);
    expect(started).toEqual([1, 2]);
  });

  it('an outer abort ends it as cancelled, keeping a BerthError reason, and an aborted signal starts nothing', async () => {
    const outer = new AbortController();
    const run = mapBounded([1, 2, 3], 1, outer.signal, async (_n, _index, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    });
    outer.abort();
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });

    const user = new AbortController();
    const started: number[] = [];
    const cancelled = mapBounded([1, 2, 3], 1, user.signal, async (n, _index, signal) => {
      started.push(n);
      user.abort(new BerthError('cancelled', 'Cancelled by the user'));
      expect(signal.aborted).toBe(true);
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled', message: 'Cancelled by the user' });
    expect(started).toEqual([1]);
    await expect(mapBounded([1], 1, user.signal, async () => undefined)).rejects.toMatchObject({
      code: 'cancelled',
      message: 'Cancelled by the user',
    });
  });
});

describe('LruMap', () => {
  it('evicts the least recently used entries past the budget, and refuses an entry over the entry limit', () => {
    const lru = new LruMap<string>({ budget: 10, costOf: (value) => value.length, maxEntryCost: 6 });
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    expect(lru.get('a')).toBe('aaaa'); // a is now the most recent
    lru.set('c', 'cccc'); // 12 > 10: b goes
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['aaaa', undefined, 'cccc']);
    lru.set('huge', 'hhhhhhh');
    expect(lru.get('huge')).toBeUndefined();
    lru.set('a', 'a'); // replacing counts the new cost only
    lru.set('d', 'dddd');
    expect(lru.size).toBe(3);
  });
});
