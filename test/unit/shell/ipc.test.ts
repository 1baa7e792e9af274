import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../../src/shared/contract';
import type { Dispatcher } from '../../../src/main/api/dispatcher';
import { registerIpc, senderAllowed, type IpcEventLike } from '../../../src/main/shell/ipc';
import { createAppUrlCheck } from '../../../src/main/shell/navigation';

const appUrl = 'file:///opt/Berth/resources/app.asar/out/renderer/index.html';
const isAppUrl = createAppUrlCheck(appUrl);

function event(url: string, parent: unknown = null): IpcEventLike & { sent: unknown[][] } {
  const sent: unknown[][] = [];
  return { senderFrame: { url, parent }, sender: { send: (...args: unknown[]) => sent.push(args), isDestroyed: () => false }, sent };
}

describe('IPC sender check', () => {
  it('accepts only the app main frame', () => {
    expect(senderAllowed(event(appUrl), isAppUrl)).toBe(true);
    expect(senderAllowed(event(appUrl, { url: appUrl }), isAppUrl)).toBe(false);
    expect(senderAllowed(event('https://evil.example/'), isAppUrl)).toBe(false);
    expect(senderAllowed({ ...event(appUrl), senderFrame: null }, isAppUrl)).toBe(false);
  });

  it('registers exactly one channel per contract request and refuses foreign frames', async () => {
    const handlers = new Map<string, (e: IpcEventLike, input: unknown) => Promise<unknown>>();
    const calls: unknown[] = [];
    const dispatcher: Dispatcher = {
      call: async (name, input, sink) => {
        calls.push([name, input]);
        sink('operation.progress', { operationId: 'x', kind: 'docker.pull', status: 'ok', current: 1, total: 1, done: true });
        return { ok: true, value: 'done' };
      },
    };
    registerIpc({ handle: (channel, listener) => handlers.set(channel, listener) }, dispatcher, isAppUrl);
    expect([...handlers.keys()].sort()).toEqual(REQUEST_NAMES.map((n) => `berth:${n}`).sort());

    const foreign = event('https://evil.example/');
    expect(await handlers.get('berth:app.info')?.(foreign, {})).toMatchObject({ ok: false, error: { code: 'denied' } });
    expect(calls).toEqual([]);

    const own = event(appUrl);
    expect(await handlers.get('berth:app.info')?.(own, {})).toEqual({ ok: true, value: 'done' });
    expect(calls).toEqual([['app.info', {}]]);
    expect(own.sent[0]?.[0]).toBe('berth:event');
  });
});
