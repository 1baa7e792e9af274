import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexCache } from '../../../src/main/layers/index-cache';
import { DEFAULT_LIMITS } from '../../../src/main/layers/limits';
import type { ImageSource } from '../../../src/main/layers/sources/image-source';
import { OciLayoutSource } from '../../../src/main/layers/sources/oci-layout';
import { TableStore } from '../../../src/main/layers/table-store';
import { defaultZstdImplementation } from '../../../src/main/layers/zstd';
import { imageOf, layerOf, writeOciLayout } from './fixtures';

describe('layer table store', () => {
  let root: string;
  let layout: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-table-store-'));
    layout = join(root, 'layout');
    const one = imageOf([await layerOf([{ name: 'one', content: '1' }], 'gzip')]);
    const two = imageOf([await layerOf([{ name: 'two', content: '2' }], 'gzip')]);
    await writeOciLayout(layout, [
      { image: one, tag: 'one' },
      { image: two, tag: 'two' },
    ]);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses an already-cancelled request at once while every indexing slot is taken', async () => {
    const store = new TableStore({
      cache: new IndexCache({ dir: join(root, 'cache'), maxBytes: 1024 ** 2 }),
      limits: DEFAULT_LIMITS,
      zstd: defaultZstdImplementation(),
      concurrency: 1,
      memoryEntries: 1000,
    });
    // The real layout, with the first layer's bytes held back: that indexing keeps the one slot until released.
    const held = new OciLayoutSource({ dir: layout, selector: 'one', reference: `oci:${layout}:one` });
    let entered!: () => void;
    const inSlot = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holder: ImageSource = {
      transport: held.transport,
      reference: held.reference,
      verifiesDigests: held.verifiesDigests,
      image: () => held.image(),
      openLayer: async (layer) => {
        entered();
        await released;
        return held.openLayer(layer);
      },
      close: () => held.close(),
    };
    const holding = store.load(holder, await holder.image(), [0], {});
    await inSlot;

    const other = new OciLayoutSource({ dir: layout, selector: 'two', reference: `oci:${layout}:two` });
    const cancelled = store.load(other, await other.image(), [0], { signal: AbortSignal.abort() }).then(
      () => 'loaded',
      (error: unknown) => error,
    );
    // Before the fix the cancelled request queued for the slot and waited as long as the holder held it.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting'), 2_000)));
    const outcome = await Promise.race([cancelled, waited]);
    clearTimeout(timer);
    release();
    expect(outcome).toMatchObject({ code: 'cancelled', message: 'Cancelled.' });
    expect((await holding).get(0)?.count).toBe(1);
    // The refused request took no slot: the same layer indexes at once afterwards.
    expect((await store.load(other, await other.image(), [0], {})).get(0)?.count).toBe(1);
  });
});
