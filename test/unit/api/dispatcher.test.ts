import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/main/api/dispatcher';
import type { Handlers } from '../../../src/main/api/types';
import { BerthError } from '../../../src/shared/errors';

function dispatcherWith(partial: Partial<Handlers>, onInternalError?: (name: string, e: unknown) => void) {
  return createDispatcher(partial as Handlers, { onInternalError });
}

describe('dispatcher (the contract at the door)', () => {
  const sink = () => undefined;

  it('rejects unknown requests and invalid input as data, without calling a handler', async () => {
    let called = false;
    const d = dispatcherWith({ 'registry.listTags': async () => ((called = true), { name: 'x', tags: [] }) });
    expect(await d.call('registry.nope', {}, sink)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await d.call('registry.listTags', { registryId: '', repository: 'a' }, sink)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringContaining('registryId') },
    });
    expect(await d.call('registry.listTags', 'not an object', sink)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await d.call('__proto__', {}, sink)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(called).toBe(false);
  });

  it('passes validated input with defaults and returns the value', async () => {
    const d = dispatcherWith({
      'search.query': async (input) => [{ registryId: String(input.limit), repository: input.query }],
    });
    expect(await d.call('search.query', { query: 'app' }, sink)).toEqual({
      ok: true,
      value: [{ registryId: '50', repository: 'app' }],
    });
  });

  it('maps BerthError to its code and hides unexpected errors behind internal', async () => {
    const logged: string[] = [];
    const d = dispatcherWith(
      {
        'registry.listTags': async () => {
          throw new BerthError('not_found', 'Repository dev/app not found');
        },
        'registry.listRepositories': async () => {
          throw new Error('secret detail at /home/user with token abc');
        },
      },
      (name) => logged.push(name),
    );
    expect(await d.call('registry.listTags', { registryId: 'r', repository: 'dev/app' }, sink)).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Repository dev/app not found' },
    });
    const internal = await d.call('registry.listRepositories', { registryId: 'r' }, sink);
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toContain('abc');
    expect(logged).toEqual(['registry.listRepositories']);
  });

  it('cancels a running operation by its id', async () => {
    const d = dispatcherWith({
      'docker.pull': (_input, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        ),
    });
    const running = d.call('docker.pull', { reference: 'x/y:1', operationId: 'op1' }, sink);
    await new Promise((r) => setTimeout(r, 10));
    expect(await d.call('operations.cancel', { operationId: 'op1' }, sink)).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await d.call('operations.cancel', { operationId: 'op1' }, sink)).toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });

  it("answers a cancelled operation with the cancel's message even when the handler fails with a plain error", async () => {
    const d = dispatcherWith({
      'docker.pull': (_input, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('socket hang up')), { once: true }),
        ),
    });
    const running = d.call('docker.pull', { reference: 'x/y:1', operationId: 'op2' }, sink);
    await new Promise((r) => setTimeout(r, 10));
    await d.call('operations.cancel', { operationId: 'op2' }, sink);
    expect(await running).toEqual({ ok: false, error: { code: 'cancelled', message: 'Cancelled by the user' } });
  });

  it('aborts when the transport goes away', async () => {
    const d = dispatcherWith({
      'docker.push': (_input, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    });
    const gone = new AbortController();
    const running = d.call('docker.push', { reference: 'x/y:1' }, sink, gone.signal);
    gone.abort();
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });
});
