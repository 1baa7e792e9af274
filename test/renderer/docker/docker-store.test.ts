import { describe, expect, it } from 'vitest';
import { mergeItems, useDocker } from '../../../src/renderer/stores/docker';
import { BerthError } from '../../../src/shared/errors';
import { deferred, scriptedApi } from '../promote/scripted-api';

describe('docker store', () => {
  it('keeps each layer in the order first seen while updating it', () => {
    const a = { id: 'a', status: 'Waiting', current: 0, total: 0 };
    const b = { id: 'b', status: 'Downloading', current: 5, total: 10 };
    expect(
      mergeItems(
        [a, b],
        [
          { ...b, current: 10, status: 'Download complete' },
          { id: 'c', status: 'Waiting', current: 0, total: 0 },
        ],
      ).map((i) => `${i.id}:${i.status}`),
    ).toEqual(['a:Waiting', 'b:Download complete', 'c:Waiting']);
  });

  it('follows a pull from its progress events to 100% and its digest, then lists images again', async () => {
    const pull = deferred<{ reference: string; digest?: string }>();
    let listed = 0;
    const api = scriptedApi({ 'docker.pull': () => pull.promise, 'docker.images': () => (listed++, []) });
    const store = useDocker.of(api);
    const running = store.getState().pull('127.0.0.1:5000/dev/app:1.0.0');
    const [transfer] = store.getState().transfers;
    expect(transfer).toMatchObject({ kind: 'pull', phase: 'running' });
    const progress = {
      operationId: transfer!.id,
      kind: 'docker.pull' as const,
      status: 'Pulling: 0 of 2 layers done',
      current: 50,
      total: 200,
      items: [
        { id: 'aaa', status: 'Downloading', current: 50, total: 100 },
        { id: 'bbb', status: 'Waiting', current: 0, total: 100 },
      ],
      done: false,
    };
    api.emit('operation.progress', progress);
    expect(store.getState().transfers[0]).toMatchObject({
      current: 50,
      total: 200,
      status: 'Pulling: 0 of 2 layers done',
    });
    // Main's final event (src/main/api/progress.ts): the last state reported, at 100%, "Done".
    api.emit('operation.progress', { ...progress, status: 'Done', current: 200, done: true });
    pull.resolve({ reference: '127.0.0.1:5000/dev/app:1.0.0', digest: `sha256:${'d'.repeat(64)}` });
    await running;
    const done = store.getState().transfers[0]!;
    expect(done).toMatchObject({
      phase: 'done',
      status: 'Pulled',
      current: 200,
      total: 200,
      digest: `sha256:${'d'.repeat(64)}`,
    });
    expect(done.items.every((i) => i.current === i.total)).toBe(true);
    expect(listed).toBe(1);
  });

  it('says a pull with no layer to move found the image up to date, and a push that it pushed', async () => {
    const api = scriptedApi({
      'docker.pull': async ({ reference, operationId }) => {
        // The engine reports no layer when the image is up to date: main's first and final events only.
        for (const [status, done] of [
          ['Image is up to date', false],
          ['Done', true],
        ] as const)
          api.emit('operation.progress', {
            operationId: operationId!,
            kind: 'docker.pull',
            status,
            current: 0,
            total: 0,
            items: [],
            done,
          });
        return { reference };
      },
      'docker.push': async ({ reference }) => ({ reference }),
      'docker.images': () => [],
    });
    const store = useDocker.of(api);
    await store.getState().pull('127.0.0.1:5000/dev/app:1.0.0');
    expect(store.getState().transfers[0]).toMatchObject({ phase: 'done', status: 'Image is up to date' });
    await store.getState().push('127.0.0.1:5000/dev/app:1.0.0');
    expect(store.getState().transfers[0]).toMatchObject({ phase: 'done', status: 'Pushed' });
  });

  it('keeps the engine error whole and tells a cancel apart', async () => {
    const message = 'Get "https://127.0.0.1:1/v2/": http: server gave HTTP response to HTTPS client';
    const api = scriptedApi({
      'docker.push': ({ reference }) => {
        throw reference.endsWith(':cancel')
          ? new BerthError('cancelled', 'Cancelled.')
          : new BerthError('bad_response', message);
      },
    });
    const store = useDocker.of(api);
    await store.getState().push('127.0.0.1:1/app:1');
    expect(store.getState().transfers[0]).toMatchObject({ phase: 'failed', error: { code: 'bad_response', message } });
    await store.getState().push('127.0.0.1:1/app:cancel');
    expect(store.getState().transfers[0]).toMatchObject({ phase: 'cancelled' });
  });
});
