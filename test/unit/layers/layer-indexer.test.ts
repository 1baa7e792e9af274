import { mkdir, mkdtemp, rm, symlink, link, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import type { LayerEntry } from '../../../src/shared/types/layers';
import { indexLayer, type IndexRequest } from '../../../src/main/layers/layer-indexer';
import type { LayerTable } from '../../../src/main/layers/layer-table';
import { DEFAULT_LIMITS } from '../../../src/main/layers/limits';
import { compress, hex, layerOf, run, sha256, tarOf, type FixtureCompression, type RawEntry } from './fixtures';

const MTIME_SECONDS = Date.parse('2024-01-01T00:00:00Z') / 1000;
const LONG_DIR = `opt/${'x'.repeat(150)}`;
const UNICODE = 'opt/données/日本語.txt';

const ENTRIES: RawEntry[] = [
  { name: './', type: 'directory' },
  { name: 'etc/', type: 'directory' },
  { name: './etc/hostname', content: 'first\n' },
  { name: 'usr/bin/tool', content: 'tool bytes', mode: 0o4755, uid: 1000, gid: 1001 },
  { name: 'usr/bin/tool-link', type: 'link', linkname: 'usr/bin/tool' },
  { name: 'usr/bin/sym', type: 'symlink', linkname: 'tool' },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
  { name: 'run/fifo', type: 'fifo' },
  { name: `${LONG_DIR}/file.txt`, content: 'long' },
  { name: UNICODE, content: 'こんにちは' },
  { name: 'var/cache/.wh..wh..opq', content: '' },
  { name: 'var/lib/.wh.old', content: '' },
  { name: 'var/lib/.wh..wh.plnk', type: 'directory' },
  { name: '../escape', content: 'outside' },
  { name: '/abs/file', content: 'absolute' },
  { name: 'etc/pax', content: 'pax', pax: { mtime: '1700000000.5', uid: '70000', gid: '70001' } },
  { name: 'etc/hostname', content: 'second\n' },
];

function request(stream: Readable, overrides: Partial<IndexRequest> & { expectedDiffId: string }): IndexRequest {
  return {
    stream,
    compressedSize: 1 << 20,
    label: 'Layer 0 of test',
    limits: DEFAULT_LIMITS,
    zstd: 'js',
    ...overrides,
  };
}

function byPath(table: LayerTable): Map<string, LayerEntry> {
  const map = new Map<string, LayerEntry>();
  for (let row = 0; row < table.count; row++) {
    const entry = table.entry(row);
    map.set(`${entry.type === 'whiteout' || entry.type === 'opaque' ? `${entry.type}:` : ''}${entry.path}`, entry);
  }
  return map;
}

async function expectFailure(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BerthError);
  expect((error as BerthError).code).toBe(code);
  expect((error as BerthError).message).toMatch(message);
}

describe('indexLayer', () => {
  const compressions: FixtureCompression[] = ['none', 'gzip', 'zstd'];

  it.each(compressions)('indexes every entry kind of a %s layer', async (compression) => {
    const layer = await layerOf(ENTRIES, compression);
    const { table, compression: detected } = await indexLayer(
      request(Readable.from([layer.blob]), {
        expectedDiffId: layer.diffId,
        expectedDigest: layer.digest,
        compressedSize: layer.blob.length,
      }),
    );
    expect(detected).toBe(compression);
    expect(table.meta.diffId).toBe(layer.diffId);
    expect(table.meta.uncompressedSize).toBe(layer.tar.length);
    const entries = byPath(table);

    expect(entries.get('/')?.type).toBe('dir');
    // ./etc/hostname and etc/hostname are one path; the last entry wins.
    expect(entries.get('/etc/hostname')).toMatchObject({ type: 'file', size: 7, sha256: hex('second\n') });
    expect(entries.get('/usr/bin/tool')).toMatchObject({
      type: 'file',
      mode: 0o4755,
      uid: 1000,
      gid: 1001,
      size: 10,
      sha256: hex('tool bytes'),
      mtime: MTIME_SECONDS,
    });
    expect(entries.get('/usr/bin/tool-link')).toMatchObject({
      type: 'hardlink',
      linkTarget: '/usr/bin/tool',
      size: 10,
      sha256: hex('tool bytes'),
    });
    expect(entries.get('/usr/bin/sym')).toMatchObject({ type: 'symlink', linkTarget: 'tool' });
    expect(entries.get('/usr/bin/sym')?.sha256).toBeUndefined();
    expect(entries.get('/dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 });
    expect(entries.get('/dev/sda')).toMatchObject({ type: 'block', devMajor: 8, devMinor: 0 });
    expect(entries.get('/run/fifo')?.type).toBe('fifo');
    expect(entries.get(`/${LONG_DIR}/file.txt`)).toMatchObject({ type: 'file', sha256: hex('long') });
    expect(entries.get(`/${UNICODE}`)).toMatchObject({ type: 'file', sha256: hex('こんにちは') });
    expect(entries.get('opaque:/var/cache')?.type).toBe('opaque');
    expect(entries.get('whiteout:/var/lib/old')?.type).toBe('whiteout');
    expect([...entries.keys()].some((path) => path.includes('plnk'))).toBe(false);
    expect(entries.get('/etc/pax')).toMatchObject({ mtime: 1700000000.5, uid: 70000, gid: 70001 });
    // `/abs/file` lands inside the root, as Docker applies it; `../escape` is refused. Both are reported.
    expect(entries.get('/abs/file')?.sha256).toBe(hex('absolute'));
    expect([...entries.keys()].some((path) => path.includes('escape'))).toBe(false);
    expect(table.meta.warnings).toEqual([
      expect.stringMatching(/"\.\.\/escape" climbs out of the image root/),
      expect.stringMatching(/"\/abs\/file" has an absolute name/),
    ]);
    expect(table.count).toBe(entries.size);
  });

  it('reads GNU tar long names, long link targets and hard links to long names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-gnu-'));
    try {
      const deep = join(dir, 'tree', 'd'.repeat(90), 'e'.repeat(90));
      await mkdir(deep, { recursive: true });
      const longFile = join(deep, `${'f'.repeat(120)}.txt`);
      await writeFile(longFile, 'gnu long name');
      await link(longFile, join(dir, 'tree', 'hard'));
      await symlink(`../tree/${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}.txt`, join(dir, 'tree', 'sym'));
      const tar = await run('tar', ['--format=gnu', '--sort=name', '-C', dir, '-cf', '-', 'tree']);
      const { table } = await indexLayer(request(Readable.from([tar]), { expectedDiffId: sha256(tar) }));
      const entries = byPath(table);
      const longPath = `/tree/${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}.txt`;
      // GNU tar stores the first name of the inode as the file and the second as a link to it.
      const file = entries.get(longPath)!;
      const hard = entries.get('/tree/hard')!;
      const [stored, linked] = file.type === 'file' ? [file, hard] : [hard, file];
      expect(stored).toMatchObject({ type: 'file', sha256: hex('gnu long name') });
      expect(linked).toMatchObject({ type: 'hardlink', sha256: hex('gnu long name'), size: 13 });
      expect(entries.get('/tree/sym')).toMatchObject({
        type: 'symlink',
        linkTarget: `../tree/${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}.txt`,
      });
      expect(table.meta.warnings).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails on a blob that does not match its digest, and on a tar that does not match its diff ID', async () => {
    const layer = await layerOf(ENTRIES, 'gzip');
    const wrong = sha256('something else');
    await expectFailure(
      indexLayer(
        request(Readable.from([layer.blob]), {
          expectedDiffId: layer.diffId,
          expectedDigest: wrong,
          compressedSize: layer.blob.length,
        }),
      ),
      'digest_mismatch',
      /does not match its digest/,
    );
    await expectFailure(
      indexLayer(
        request(Readable.from([layer.blob]), {
          expectedDiffId: wrong,
          expectedDigest: layer.digest,
          compressedSize: layer.blob.length,
        }),
      ),
      'digest_mismatch',
      /diff ID/,
    );
    await expectFailure(
      indexLayer(
        request(Readable.from([layer.blob]), {
          expectedDiffId: layer.diffId,
          expectedDigest: layer.digest,
          compressedSize: layer.blob.length + 1,
        }),
      ),
      'digest_mismatch',
      /descriptor says/,
    );
  });

  it('reports a truncated gzip stream', async () => {
    const layer = await layerOf([{ name: 'big', content: Buffer.alloc(300_000, 7) }, ...ENTRIES], 'gzip');
    const truncated = layer.blob.subarray(0, Math.floor(layer.blob.length / 2));
    await expectFailure(
      indexLayer(request(Readable.from([truncated]), { expectedDiffId: layer.diffId })),
      'bad_response',
      /truncated: its gzip stream ends/,
    );
  });

  it('reports a truncated zstd stream', async () => {
    const layer = await layerOf([{ name: 'big', content: Buffer.alloc(300_000, 7) }, ...ENTRIES], 'zstd');
    const truncated = layer.blob.subarray(0, layer.blob.length - 10);
    await expectFailure(
      indexLayer(request(Readable.from([truncated]), { expectedDiffId: layer.diffId })),
      'bad_response',
      /zstd/,
    );
  });

  it('reports a corrupt tar header', async () => {
    const tar = await tarOf(ENTRIES);
    const corrupt = Buffer.from(tar);
    // The second member's header starts after the first header and its one data block.
    corrupt[1024 + 10] = corrupt[1024 + 10]! ^ 0xff;
    await expectFailure(
      indexLayer(request(Readable.from([gzipSync(corrupt)]), { expectedDiffId: sha256(corrupt) })),
      'bad_response',
      /not a valid tar: a header's checksum/,
    );
  });

  it('reports a tar that ends inside an entry', async () => {
    const tar = await tarOf([{ name: 'file', content: Buffer.alloc(10_000, 1) }]);
    const cut = tar.subarray(0, 512 + 4096);
    await expectFailure(
      indexLayer(request(Readable.from([cut]), { expectedDiffId: sha256(cut) })),
      'bad_response',
      /truncated: its tar ends inside an entry/,
    );
  });

  it('stops a gzip decompression bomb at the expansion bound', async () => {
    // 10 MiB of zeros per 10 KiB of gzip: the blob claims to be tiny and expands 1000x.
    const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const limits = { ...DEFAULT_LIMITS, minExpandedBytes: 16 * 1024 * 1024 };
    const started = process.memoryUsage().rss;
    await expectFailure(
      indexLayer(
        request(Readable.from([zeros]), { expectedDiffId: sha256('x'), compressedSize: zeros.length, limits }),
      ),
      'too_large',
      /expands beyond 16\.0 MiB .*decompression bombs/,
    );
    expect(process.memoryUsage().rss - started).toBeLessThan(200 * 1024 * 1024);
  });

  it('stops a zstd decompression bomb at the expansion bound', async () => {
    const bomb = await compress(Buffer.alloc(256 * 1024 * 1024), 'zstd');
    expect(bomb.length).toBeLessThan(64 * 1024);
    const limits = { ...DEFAULT_LIMITS, minExpandedBytes: 32 * 1024 * 1024 };
    await expectFailure(
      indexLayer(request(Readable.from([bomb]), { expectedDiffId: sha256('x'), compressedSize: bomb.length, limits })),
      'too_large',
      /expands beyond 32\.0 MiB/,
    );
  });

  it('refuses a zstd frame whose window is larger than zstd decodes by default', async () => {
    // Frame header: magic, descriptor 0 (window byte follows), window log 31 (2 GiB), then a block header.
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (31 - 10) << 3, 0x01, 0x00, 0x00]);
    await expectFailure(
      indexLayer(request(Readable.from([frame]), { expectedDiffId: sha256('x') })),
      'too_large',
      /2048 MiB window/,
    );
  });

  it('stops at the entry limit', async () => {
    const entries = Array.from({ length: 50 }, (_, index) => ({ name: `f${index}`, content: '' }));
    const tar = await tarOf(entries);
    await expectFailure(
      indexLayer(
        request(Readable.from([tar]), { expectedDiffId: sha256(tar), limits: { ...DEFAULT_LIMITS, maxEntries: 20 } }),
      ),
      'too_large',
      /more than 20 entries/,
    );
  });

  it('is cancelled by its signal, mid-stream', async () => {
    const controller = new AbortController();
    const chunks = (async function* () {
      yield await tarOf([{ name: 'a', content: 'a' }]).then((tar) => tar.subarray(0, 512));
      controller.abort(new BerthError('cancelled', 'Cancelled by the user'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield Buffer.alloc(512);
    })();
    await expectFailure(
      indexLayer(request(Readable.from(chunks), { expectedDiffId: sha256('x'), signal: controller.signal })),
      'cancelled',
      /Cancelled by the user/,
    );
  });

  it('indexes an empty layer (just the end-of-archive blocks)', async () => {
    const empty = Buffer.alloc(1024);
    const { table } = await indexLayer(request(Readable.from([gzipSync(empty)]), { expectedDiffId: sha256(empty) }));
    expect(table.count).toBe(0);
  });
});

describe('indexLayer with real zstd streams', () => {
  let payload: Buffer;
  beforeAll(async () => {
    payload = await tarOf(
      Array.from({ length: 40 }, (_, index) => ({
        name: `dir/file-${index}`,
        content: Buffer.alloc(20_000 + index, index),
      })),
    );
  });

  it.each([
    ['a checksummed frame', ['-C']],
    ['a frame with its content size', ['--content-size']],
    ['a long-window frame', ['--long=24']],
  ])('decodes %s', async (_name, flags) => {
    const blob = await run('zstd', ['-q', '-c', ...flags], payload);
    const { table } = await indexLayer(request(Readable.from([blob]), { expectedDiffId: sha256(payload) }));
    expect(table.count).toBe(40);
  });

  it('decodes concatenated frames and skippable frames, fed one byte at a time', async () => {
    const half = payload.length / 2;
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('hello')]);
    const blob = Buffer.concat([
      await run('zstd', ['-q', '-c'], payload.subarray(0, half)),
      skippable,
      await run('zstd', ['-q', '-c', '-C'], payload.subarray(half)),
    ]);
    const bytes = (function* () {
      for (let offset = 0; offset < blob.length; offset += 1) yield blob.subarray(offset, offset + 1);
    })();
    const { table } = await indexLayer(request(Readable.from(bytes), { expectedDiffId: sha256(payload) }));
    expect(table.count).toBe(40);
  });
});
