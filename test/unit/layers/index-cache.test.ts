import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeIndex, encodeIndex } from '../../../src/main/layers/index-codec';
import { IndexCache } from '../../../src/main/layers/index-cache';
import type { LayerTable } from '../../../src/main/layers/layer-table';
import { tableOf } from './fixtures';

const entriesOf = (table: LayerTable) => Array.from({ length: table.count }, (_, row) => table.entry(row));

async function sample(seed: string): Promise<LayerTable> {
  return tableOf([
    { name: 'etc/', type: 'directory' },
    { name: `etc/${seed}`, content: `content of ${seed}`, mode: 0o600, uid: 7, gid: 8 },
    { name: 'etc/link', type: 'symlink', linkname: `../${seed}` },
    { name: 'etc/hard', type: 'link', linkname: `etc/${seed}` },
    { name: 'dev/tty', type: 'character-device', devmajor: 5, devminor: 0 },
    { name: 'données/日本語', content: 'ü' },
    { name: 'gone/.wh.x', content: '' },
    { name: '../bad', content: '' },
  ]);
}

describe('index codec', () => {
  it('round-trips every column and the metadata', async () => {
    const table = await sample('a');
    const decoded = decodeIndex(Buffer.concat(encodeIndex(table)))!;
    expect(decoded.meta).toEqual(table.meta);
    expect(entriesOf(decoded)).toEqual(entriesOf(table));
    expect(decoded.ordinal(1)).toBe(table.ordinal(1));
  });

  it('round-trips an empty layer, and reads a misaligned buffer', async () => {
    const empty = await tableOf([]);
    expect(decodeIndex(Buffer.concat(encodeIndex(empty)))!.count).toBe(0);
    const bytes = Buffer.concat(encodeIndex(await sample('b')));
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(entriesOf(decodeIndex(shifted.subarray(3))!)).toEqual(entriesOf(await sample('b')));
  });

  it('reads damaged or foreign bytes as nothing', async () => {
    const bytes = Buffer.concat(encodeIndex(await sample('c')));
    expect(decodeIndex(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(decodeIndex(Buffer.from('{"not":"an index"}'))).toBeUndefined();
    const wrongMagic = Buffer.from(bytes);
    wrongMagic[7] = 0x31; // an index of format 1 (before entry offsets): read as not cached, so rebuilt
    expect(decodeIndex(wrongMagic)).toBeUndefined();
  });
});

describe('IndexCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-index-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores by diff ID and leaves no temp file behind', async () => {
    const cache = new IndexCache({ dir, maxBytes: 10 * 1024 * 1024 });
    const table = await sample('d');
    expect(await cache.get(table.meta.diffId)).toBeUndefined();
    await cache.put(table);
    const loaded = await cache.get(table.meta.diffId);
    expect(entriesOf(loaded!)).toEqual(entriesOf(table));
    expect(await readdir(join(dir, 'sha256'))).toEqual([`${table.meta.diffId.slice(7)}.idx`]);
    expect(await readdir(cache.tempDir)).toEqual([]);
  });

  it('drops a damaged index file and reports a miss', async () => {
    const cache = new IndexCache({ dir, maxBytes: 10 * 1024 * 1024 });
    const table = await sample('e');
    await cache.put(table);
    await writeFile(cache.indexFile(table.meta.diffId), 'garbage');
    expect(await cache.get(table.meta.diffId)).toBeUndefined();
    await expect(stat(cache.indexFile(table.meta.diffId))).rejects.toThrow();
  });

  it('evicts the least recently used indexes past its size cap', async () => {
    const tables = await Promise.all(['f', 'g', 'h', 'i'].map(sample));
    const size = Buffer.concat(encodeIndex(tables[0]!)).length;
    const cache = new IndexCache({ dir, maxBytes: size * 3.5 });
    const old = new Date(Date.now() - 60_000);
    for (const [index, table] of tables.slice(0, 3).entries()) {
      await cache.put(table);
      // Distinct use times, oldest first: f, g, h.
      await utimes(cache.indexFile(table.meta.diffId), old, new Date(old.getTime() + index * 1000));
    }
    // Reading f makes it the most recently used; g is now the oldest.
    expect(await cache.get(tables[0]!.meta.diffId)).toBeDefined();
    await cache.put(tables[3]!);
    const present = await Promise.all(
      tables.map((table) =>
        stat(cache.indexFile(table.meta.diffId)).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(present).toEqual([true, false, true, true]);
    expect((await cache.usage()).bytes).toBeLessThanOrEqual(size * 3.5);
  });

  it('removes temp files a crashed process left behind, and keeps fresh ones', async () => {
    const cache = new IndexCache({ dir, maxBytes: 10 * 1024 * 1024 });
    const stale = await cache.tempFile('.part');
    const fresh = await cache.tempFile('.part');
    await writeFile(stale, 'half an index');
    await writeFile(fresh, 'being written');
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    await utimes(stale, hoursAgo, hoursAgo);
    await cache.evict();
    expect((await readdir(cache.tempDir)).map((name) => join(cache.tempDir, name))).toEqual([fresh]);
  });

  it('refuses a key that is not a digest (no path escapes)', async () => {
    const cache = new IndexCache({ dir, maxBytes: 1024 });
    expect(() => cache.indexFile('sha256:../../etc/passwd')).toThrow(/Not a cacheable digest/);
  });
});
