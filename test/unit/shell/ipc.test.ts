import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../../src/shared/contract';
import { createDispatcher, type Dispatcher } from '../../../src/main/api/dispatcher';
import type { Handlers } from '../../../src/main/api/types';
import { createEventHub } from '../../../src/main/util/event-hub';
import { registerIpc, senderAllowed, type IpcEventLike } from '../../../src/main/shell/ipc';
import { createAppUrlCheck } from '../../../src/main/shell/navigation';

const appUrl = 'file:///opt/Berth/resources/app.asar/out/renderer/index.html';
const isAppUrl = createAppUrlCheck(appUrl);

function event(url: string, parent: unknown = null): IpcEventLike & { sent: unknown[][] } {
  const sent: unknown[][] = [];
  return {
    senderFrame: { url, parent },
    sender: { send: (...args: unknown[]) => sent.push(args), isDestroyed: () => false, on: () => undefined },
    sent,
  };
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
        sink('operation.progress', {
          operationId: 'x',
          kind: 'docker.pull',
          status: 'ok',
          current: 1,
          total: 1,
          done: true,
        });
        return { ok: true, value: 'done' };
      },
      subscribe: () => () => undefined,
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

/** A WebContents as the IPC code sees it: an EventEmitter that Electron would drive. */
class StubWebContents extends EventEmitter {
  destroyed = false;
  readonly sent: unknown[][] = [];
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.emit('destroyed');
  }
  /** Electron's did-start-navigation details (an Event with these fields). */
  startNavigation(url: string, options: { isMainFrame?: boolean; isSameDocument?: boolean } = {}) {
    this.emit('did-start-navigation', {
      url,
      isMainFrame: options.isMainFrame ?? true,
      isSameDocument: options.isSameDocument ?? false,
    });
  }
}

describe('IPC calls end with the page that made them', () => {
  /**
   * The real dispatcher behind the real IPC handlers; docker.pull waits until it is released by the test or
   * aborted through its signal, as a pull does.
   */
  function world() {
    const release = new Map<string, () => void>();
    const handlers = {
      'docker.pull': (_input, ctx) =>
        new Promise((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
          release.set(ctx.operationId, () => resolve({ reference: 'x/y:1' }));
        }),
    } as Partial<Handlers> as Handlers;
    const channels = new Map<string, (e: IpcEventLike, input: unknown) => Promise<unknown>>();
    registerIpc(
      { handle: (channel, listener) => channels.set(channel, listener) },
      createDispatcher(handlers),
      isAppUrl,
    );
    const pull = (contents: StubWebContents, operationId: string) =>
      channels.get('berth:docker.pull')!(
        { senderFrame: { url: appUrl, parent: null }, sender: contents },
        { reference: 'x/y:1', operationId },
      );
    return { pull, release: (operationId: string) => release.get(operationId)?.() };
  }

  /** The outcome if the call settles within a bound, else 'running' (the old code never aborted, so it would hang). */
  const within = (call: Promise<unknown>, ms = 2000) =>
    Promise.race([call, new Promise((resolve) => setTimeout(() => resolve('running'), ms))]);

  it('aborts the calls of a destroyed WebContents and only those', async () => {
    const { pull, release } = world();
    const closing = new StubWebContents();
    const other = new StubWebContents();
    const doomed = pull(closing, 'op-closing');
    const kept = pull(other, 'op-other');
    closing.destroy();
    expect(await within(doomed)).toMatchObject({
      ok: false,
      error: { code: 'cancelled', message: expect.stringContaining('closed or reloaded') },
    });
    release('op-other');
    expect(await within(kept)).toEqual({ ok: true, value: { reference: 'x/y:1' } });
  });

  it('aborts on reload and on a crashed renderer, and serves the next page', async () => {
    const { pull, release } = world();
    const contents = new StubWebContents();

    const beforeReload = pull(contents, 'op-1');
    // None of these ends the page: in-page navigation (the serve-style pushState), a subframe load, and a
    // navigation away that will-navigate (security.ts) refuses after did-start-navigation fired.
    contents.startNavigation(`${appUrl}#/registries`, { isSameDocument: true });
    contents.startNavigation('https://example.com/frame', { isMainFrame: false });
    contents.startNavigation('https://evil.example/');
    expect(await within(beforeReload, 50)).toBe('running');
    contents.startNavigation(appUrl);
    expect(await within(beforeReload)).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    const afterReload = pull(contents, 'op-2');
    release('op-2');
    expect(await within(afterReload)).toEqual({ ok: true, value: { reference: 'x/y:1' } });

    const beforeCrash = pull(contents, 'op-3');
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(await within(beforeCrash)).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    const afterCrash = pull(contents, 'op-4');
    release('op-4');
    expect(await within(afterCrash)).toEqual({ ok: true, value: { reference: 'x/y:1' } });
  });
});

describe('events for every window', () => {
  it('reach each window that has called in, once, until it is destroyed', async () => {
    const events = createEventHub();
    const channels = new Map<string, (e: IpcEventLike, input: unknown) => Promise<unknown>>();
    const handlers = { 'app.info': async () => ({}) } as unknown as Handlers;
    registerIpc(
      { handle: (channel, listener) => channels.set(channel, listener) },
      createDispatcher(handlers, { events }),
      isAppUrl,
    );
    const call = (contents: StubWebContents) =>
      channels.get('berth:app.info')!({ senderFrame: { url: appUrl, parent: null }, sender: contents }, {});
    const first = new StubWebContents();
    const second = new StubWebContents();
    const silent = new StubWebContents();
    await call(first);
    await call(first);
    await call(second);
    const change = { registryId: 'r', host: '127.0.0.1:5000', repository: 'dev/app', tags: ['1.0'] };
    events.emit('registry.changed', change);
    expect(first.sent).toEqual([['berth:event', 'registry.changed', change]]);
    expect(second.sent).toEqual([['berth:event', 'registry.changed', change]]);
    expect(silent.sent).toEqual([]);
    second.destroy();
    events.emit('registry.changed', { ...change, tags: ['2.0'] });
    expect(first.sent).toHaveLength(2);
    expect(second.sent).toHaveLength(1);
  });
});
