import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../../src/main/api/dispatcher';
import { createProgress, PROGRESS_INTERVAL_MS } from '../../../src/main/api/progress';
import type { Handlers } from '../../../src/main/api/types';
import { BerthError } from '../../../src/shared/errors';
import type { OperationProgress, ProgressState } from '../../../src/shared/types/operations';

const state = (current: number, status = 'Downloading'): ProgressState => ({
  status,
  current,
  total: 100,
  items: [{ id: 'layer', status, current, total: 100 }],
});

describe('operation progress (one throttle, one final event)', () => {
  let sent: (OperationProgress & { at: number })[];
  const progress = () =>
    createProgress({
      operationId: 'op',
      kind: 'docker.pull',
      send: (event) => sent.push({ ...event, at: Date.now() }),
    });

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first report at once, then at most one event per interval with the latest state', () => {
    const p = progress();
    p.report(state(0, 'Waiting'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ operationId: 'op', kind: 'docker.pull', status: 'Waiting', done: false });
    // A report per millisecond for a second: 1,000 reports.
    for (let ms = 1; ms <= 1000; ms++) {
      vi.advanceTimersByTime(1);
      p.report(state(ms / 10));
    }
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    const intermediate = sent.slice(1);
    expect(intermediate.length).toBeGreaterThanOrEqual(1000 / PROGRESS_INTERVAL_MS - 1);
    expect(intermediate.length).toBeLessThanOrEqual(1000 / PROGRESS_INTERVAL_MS + 1);
    for (let i = 1; i < sent.length; i++)
      expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS);
    // The trailing timer delivered the last report, although it came within an interval of the one before.
    expect(sent.at(-1)).toMatchObject({ current: 100, done: false });
    expect(sent.every((event) => !event.done)).toBe(true);
  });

  it('ends with a final event at once, even right after an intermediate one, and nothing after it', () => {
    const p = progress();
    p.report(state(10));
    p.report(state(60, 'Extracting'));
    p.end();
    expect(sent.map(({ status, current, done }) => ({ status, current, done }))).toEqual([
      { status: 'Downloading', current: 10, done: false },
      // The last state (its items), done, at 100%: "Extracting" at 60 was never sent on its own.
      { status: 'Done', current: 100, done: true },
    ]);
    expect(sent[1]!.items).toEqual([{ id: 'layer', status: 'Extracting', current: 60, total: 100 }]);
    expect(sent[1]!.error).toBeUndefined();
    p.report(state(70));
    p.end(new BerthError('internal', 'late').toData());
    vi.advanceTimersByTime(10 * PROGRESS_INTERVAL_MS);
    expect(sent).toHaveLength(2);
  });

  it('sends the state as it was when the event went out, not a live object', () => {
    const p = progress();
    const live = state(5);
    p.report(live);
    live.items![0]!.current = 50;
    expect(sent[0]!.items![0]!.current).toBe(5);
  });

  it('sends nothing at all when the work reported no progress, whatever the outcome', () => {
    for (const error of [undefined, { code: 'not_found' as const, message: 'gone' }]) {
      const p = progress();
      p.end(error);
    }
    expect(sent).toEqual([]);
  });

  it('interval 0 sends every report', () => {
    const p = createProgress({
      operationId: 'op',
      kind: 'promotion',
      send: (e) => sent.push({ ...e, at: 0 }),
      intervalMs: 0,
    });
    for (const phase of ['Planning', 'Copying blobs', 'Writing manifests', 'Tagging']) p.report(state(0, phase));
    p.end();
    expect(sent.map((event) => event.status)).toEqual([
      'Planning',
      'Copying blobs',
      'Writing manifests',
      'Tagging',
      'Done',
    ]);
  });
});

describe('the dispatcher ends the progress of every request the contract declares as reporting', () => {
  const events = (collected: OperationProgress[]) => (event: string, payload: unknown) => {
    if (event === 'operation.progress') collected.push(payload as OperationProgress);
  };

  it('Done on success, for a request of any kind', async () => {
    const collected: OperationProgress[] = [];
    const d = createDispatcher({
      'registry.tagDetails': async (input, ctx) => {
        ctx.report({ status: 'Reading tag details', current: 1, total: input.tags.length });
        return [];
      },
    } as Partial<Handlers> as Handlers);
    const outcome = await d.call(
      'registry.tagDetails',
      { registryId: 'r', repository: 'a', tags: ['1', '2'], operationId: 'td' },
      events(collected),
    );
    expect(outcome).toEqual({ ok: true, value: [] });
    expect(collected).toEqual([
      {
        operationId: 'td',
        kind: 'registry.tagDetails',
        status: 'Reading tag details',
        current: 1,
        total: 2,
        done: false,
      },
      { operationId: 'td', kind: 'registry.tagDetails', status: 'Done', current: 2, total: 2, done: true },
    ]);
  });

  it('Failed with the same error data as the response, the last state kept', async () => {
    const collected: OperationProgress[] = [];
    const logged: string[] = [];
    const d = createDispatcher(
      {
        'promotion.execute': async (_input, ctx) => {
          ctx.report({
            status: 'Copying blobs',
            current: 3,
            total: 9,
            items: [{ id: 'b', status: 'Copying', current: 3, total: 9 }],
          });
          throw new BerthError('unreachable', 'The target registry went away');
        },
        'docker.push': async (_input, ctx) => {
          ctx.report({ status: 'Pushing', current: 0, total: 0 });
          throw new Error('a bug, with /home/user/secret-path that stays in the log');
        },
      } as Partial<Handlers> as Handlers,
      { onInternalError: (name) => logged.push(name) },
    );
    const failed = await d.call(
      'promotion.execute',
      { source: 'h/a:1', target: 'h/b:1', operationId: 'pe' },
      events(collected),
    );
    expect(failed).toEqual({ ok: false, error: { code: 'unreachable', message: 'The target registry went away' } });
    expect(collected.at(-1)).toEqual({
      operationId: 'pe',
      kind: 'promotion',
      status: 'Failed',
      current: 3,
      total: 9,
      items: [{ id: 'b', status: 'Copying', current: 3, total: 9 }],
      done: true,
      error: { code: 'unreachable', message: 'The target registry went away' },
    });

    collected.length = 0;
    const internal = await d.call('docker.push', { reference: 'h/a:1', operationId: 'dp' }, events(collected));
    expect(internal.ok).toBe(false);
    expect(collected.at(-1)).toMatchObject({ status: 'Failed', done: true, error: !internal.ok && internal.error });
    expect(JSON.stringify(collected)).not.toContain('secret-path');
    expect(logged).toEqual(['docker.push']);
  });

  it('Cancelled with the cancel as error data on operations.cancel', async () => {
    const collected: OperationProgress[] = [];
    const d = createDispatcher({
      'images.diff': (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.report({ status: 'Indexing layers (0 of 2)', current: 0, total: 10 });
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
    } as Partial<Handlers> as Handlers);
    const running = d.call('images.diff', { a: 'oci:/x:a', b: 'oci:/x:b', operationId: 'cx' }, events(collected));
    await d.call('operations.cancel', { operationId: 'cx' }, () => undefined);
    const outcome = await running;
    expect(outcome).toEqual({ ok: false, error: { code: 'cancelled', message: 'Cancelled by the user' } });
    expect(collected.map(({ status, done, error }) => ({ status, done, error }))).toEqual([
      { status: 'Indexing layers (0 of 2)', done: false, error: undefined },
      { status: 'Cancelled', done: true, error: { code: 'cancelled', message: 'Cancelled by the user' } },
    ]);
  });

  it('gives report only to requests that declare a progress kind', async () => {
    let context: object | undefined;
    const d = createDispatcher({
      'docker.tag': async (input, ctx) => ((context = ctx), { source: input.source, target: input.target }),
    } as Partial<Handlers> as Handlers);
    await d.call('docker.tag', { source: 'a:1', target: 'b:1' }, () => undefined);
    expect(context).not.toHaveProperty('report');
  });
});
