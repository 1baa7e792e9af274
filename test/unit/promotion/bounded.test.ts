import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import { forEachBounded } from '../../../src/main/promotion/bounded';

it('never runs more than the limit at once, and runs every item', async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, undefined, async (item) => {
    running++;
    peak = Math.max(peak, running);
    await sleep(5 + (item % 3) * 5);
    running--;
    done.push(item);
  });
  expect(peak).toBe(3);
  expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
});

it('stops starting work after the first failure, aborts the work in flight, and throws that failure', async () => {
  const started: number[] = [];
  const aborted: number[] = [];
  const failure = new BerthError('unreachable', 'target went away');
  const run = forEachBounded([1, 2, 3, 4, 5], 2, undefined, async (item, signal) => {
    started.push(item);
    if (item === 2) throw failure;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        aborted.push(item);
        resolve();
      });
    });
  });
  await expect(run).rejects.toBe(failure);
  expect(started).toEqual([1, 2]);
  expect(aborted).toEqual([1]);
});

it('turns a cancel of the caller into a cancelled error', async () => {
  const controller = new AbortController();
  const run = forEachBounded([1, 2, 3], 1, controller.signal, async (_item, signal) => {
    controller.abort(new BerthError('cancelled', 'Cancelled by the user'));
    expect(signal.aborted).toBe(true);
  });
  await expect(run).rejects.toMatchObject({ code: 'cancelled', message: 'Cancelled by the user' });
  await expect(forEachBounded([1], 1, controller.signal, async () => undefined)).rejects.toMatchObject({
    code: 'cancelled',
  });
});
