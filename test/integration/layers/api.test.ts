/**
 * The layer requests through the contract's dispatcher, as the UI calls them: input validation, progress
 * events that always end (`done`), cancellation by `operations.cancel`, errors as data.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { createSessionSecretStore } from '../../../src/main/credentials';
import { imageOf, layerOf, writeOciLayout } from '../../unit/layers/fixtures';

let home: string;
let backend: Backend;
let layout: string;

/** Incompressible bytes, so the layer takes a while to index and progress has steps. */
function noise(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed;
  for (let index = 0; index < size; index += 4) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes.writeUInt32LE(state, index);
  }
  return bytes;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-layers-api-'));
  backend = await createBackend({
    transport: 'serve',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      BERTH_CONFIG_DIR: join(home, 'config'),
      BERTH_CACHE_DIR: join(home, 'cache'),
    },
    secrets: createSessionSecretStore(),
  });
  layout = join(home, 'layout');
  const small = await layerOf([{ name: 'etc/a', content: 'a\n' }], 'gzip');
  const big = await layerOf([{ name: 'data/noise', content: noise(24 * 1024 * 1024, 7) }], 'gzip');
  await writeOciLayout(layout, [
    { image: imageOf([small]), tag: 'small' },
    { image: imageOf([small, big]), tag: 'big' },
  ]);
});

afterAll(async () => {
  await backend?.close();
  await rm(home, { recursive: true, force: true });
});

function call(name: string, input: unknown, onEvent?: (event: OperationProgress) => void) {
  const events: OperationProgress[] = [];
  const outcome = backend.dispatcher.call(name, input, (_event, payload) => {
    events.push(payload as OperationProgress);
    onEvent?.(payload as OperationProgress);
  });
  return { outcome, events };
}

describe('layer requests through the dispatcher', () => {
  it('reports indexing progress per layer and ends it with done', async () => {
    const { outcome, events } = call('layers.list', { reference: `oci:${layout}:big`, operationId: 'list-big' });
    const result = await outcome;
    expect(result.ok).toBe(true);
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((event) => event.operationId === 'list-big' && event.kind === 'layers.index')).toBe(true);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ done: true, status: 'Done' });
    expect(last.current).toBe(last.total);
    expect(last.items?.map((item) => item.status)).toEqual(['done', 'done']);
    // Everything is cached now: no progress at all the second time.
    const again = call('images.ls', { reference: `oci:${layout}:big`, path: '/data', operationId: 'ls-big' });
    expect((await again.outcome).ok).toBe(true);
    expect(again.events).toEqual([]);
  });

  it('cancels indexing on operations.cancel, ends the progress and caches nothing', async () => {
    const reference = `oci:${layout}:big`;
    const other = join(home, 'cache-cancel');
    const cancelBackend = await createBackend({
      // Every progress event at once, so the cancel lands while the big layer streams (with the UI's
      // throttle the first event with bytes can come after a 24 MiB layer is already indexed).
      progressIntervalMs: 0,
      transport: 'serve',
      env: { PATH: process.env.PATH, HOME: home, BERTH_CONFIG_DIR: join(home, 'config'), BERTH_CACHE_DIR: other },
      secrets: createSessionSecretStore(),
    });
    try {
      let cancelled = false;
      const events: OperationProgress[] = [];
      const outcome = cancelBackend.dispatcher.call(
        'images.diff',
        { a: `oci:${layout}:small`, b: reference, operationId: 'diff-cancel' },
        (_event, payload) => {
          const event = payload as OperationProgress;
          events.push(event);
          if (!cancelled && event.current > 0 && !event.done) {
            cancelled = true;
            void cancelBackend.dispatcher.call('operations.cancel', { operationId: 'diff-cancel' }, () => undefined);
          }
        },
      );
      const result = await outcome;
      expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect(events.at(-1)).toMatchObject({ done: true, status: 'Cancelled', error: { code: 'cancelled' } });
      const indexes = await readdir(join(other, 'layers', 'sha256')).catch(() => [] as string[]);
      const bigDiffId = (await cancelBackend.services.layers.listLayers(`oci:${layout}:small`))[0]!.diffId;
      // Only the small layer (indexed before the cancel, or just now) may be there, never half of the big one.
      expect(indexes.filter((name) => `sha256:${name.replace('.idx', '')}` !== bigDiffId)).toEqual([]);
      expect(await readdir(join(other, 'layers', 'tmp')).catch(() => [])).toEqual([]);
    } finally {
      await cancelBackend.close();
    }
  });

  it('validates input and returns errors as data', async () => {
    const bad = await call('layers.index', { reference: `oci:${layout}:big`, layerDigest: 'not-a-digest' }).outcome;
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const platform = await call('images.ls', { reference: `oci:${layout}:big`, platform: 'linux' }).outcome;
    expect(platform).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const missing = await call('images.readFile', { reference: `oci:${layout}:big`, path: '/etc/missing' }).outcome;
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('/etc/missing does not exist') },
    });
    const preview = await call('images.readFile', { reference: `oci:${layout}:big`, path: '/data/noise', maxBytes: 16 })
      .outcome;
    expect(preview).toMatchObject({ ok: true, value: { truncated: true, binary: true, size: 24 * 1024 * 1024 } });
    const efficiency = await call('images.efficiency', { reference: `oci:${layout}:big`, limit: 1 }).outcome;
    expect(efficiency).toMatchObject({ ok: true, value: { wastedBytes: 0, score: 1 } });
  });
});
