/**
 * The storage store: while the refresh runs, what the index already holds is shown (and read again each
 * poll), the refresh's answer replaces it, and a failed refresh keeps the last figures with the error.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StorageUsage } from '../../../src/shared/types/storage';
import { BerthError } from '../../../src/shared/errors';
import { POLL_MS, useStorage } from '../../../src/renderer/stores/storage';
import { deferred, scriptedApi } from '../promote/scripted-api';

const usage = (totalBytes: number): StorageUsage => ({
  registryId: 'r',
  registry: 'registry.test',
  namespace: '',
  tags: 1,
  bytes: totalBytes,
  uniqueBytes: totalBytes,
  sharedBytes: 0,
  logicalBytes: totalBytes,
  dedupRatio: 1,
  totalBytes,
  repositories: [],
  namespaces: [],
  biggestImages: [],
  biggestLayers: [],
  pendingTags: 0,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('useStorage', () => {
  it('shows the index while the refresh runs, then the refresh', async () => {
    const refresh = deferred<StorageUsage>();
    let indexed = 10;
    const api = scriptedApi({
      'storage.usage': (input) => (input.refresh === false ? usage(indexed) : refresh.promise),
    });
    const store = useStorage.of(api);
    const loading = store.getState().load('r');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().usage['r']).toEqual({ status: 'loading', value: usage(10) });
    expect(store.getState().refreshing['r']).toBeDefined();
    indexed = 20;
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(store.getState().usage['r']?.value?.totalBytes).toBe(20);
    refresh.resolve(usage(30));
    await loading;
    expect(store.getState().usage['r']).toEqual({ status: 'ready', value: usage(30) });
    expect(store.getState().refreshing['r']).toBeUndefined();
    // No poll after the end.
    const calls = api.calls.length;
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(api.calls.length).toBe(calls);
  });

  it('keeps the last figures with the error when the refresh fails', async () => {
    const api = scriptedApi({
      'storage.usage': (input) => {
        if (input.refresh === false) return usage(5);
        throw new BerthError('unreachable', 'The registry does not answer.');
      },
    });
    const store = useStorage.of(api);
    await store.getState().load('r');
    const state = store.getState().usage['r'];
    expect(state?.status).toBe('error');
    expect(state?.status === 'error' ? state.error.code : undefined).toBe('unreachable');
    expect(state?.value?.totalBytes).toBe(5);
  });
});
