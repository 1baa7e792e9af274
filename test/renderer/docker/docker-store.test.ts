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
    api.emit('operation.progress', {
      operationId: transfer!.id,
      kind: 'docker.pull',
      status: 'Pulling: 0 of 2 layers done',
      current: 50,
      total: 200,
      items: [
        { id: 'aaa', status: 'Downloading', current: 50, total: 100 },
        { id: 'bbb', status: 'Waiting', current: 0, total: 100 },
      ],
      done: false,
    });
    expect(store.getState().transfers[0]).toMatchObject({
      current: 50,
      total: 200,
      status: 'Pulling: 0 of 2 layers done',
    });
    pull.resolve({ reference: '127.0.0.1:5000/dev/app:1.0.0', digest: `sha256:${'d'.repeat(64)}` });
    await running;
    const done = store.getState().transfers[0]!;
    expect(done).toMatchObject({ phase: 'done', current: 200, total: 200, digest: `sha256:${'d'.repeat(64)}` });
    expect(done.items.every((i) => i.current === i.total)).toBe(true);
    expect(listed).toBe(1);
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
