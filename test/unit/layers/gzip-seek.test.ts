/**
 * gzip checkpoints (zran): inflating from any checkpoint, at any bit offset, gives the bytes a full gunzip
 * gives; multi-member gzip is read whole but marked; the seek file detects damage; the index records where
 * each entry's content starts in the tar.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CheckpointingGunzip, rangeFor, resumeInflater } from '../../../src/main/layers/gzip-seek';
import { indexLayer } from '../../../src/main/layers/layer-indexer';
import { DEFAULT_LIMITS } from '../../../src/main/layers/limits';
import { buildSeekIndex, decodeSeekIndex, encodeSeekIndex } from '../../../src/main/layers/seek-index';
import { layerOf, words } from './fixtures';

async function collect(stage: NodeJS.ReadWriteStream, input: Buffer, chunk = 65_536): Promise<Buffer> {
  const parts: Buffer[] = [];
  const chunks = Array.from({ length: Math.ceil(input.length / chunk) }, (_, index) =>
    input.subarray(index * chunk, (index + 1) * chunk),
  );
  await pipeline(
    Readable.from(chunks),
    stage,
    new Writable({
      write: (part: Buffer, _encoding, callback) => {
        parts.push(part);
        callback();
      },
    }),
  );
  return Buffer.concat(parts);
}

// Incompressible stretches make deflate write stored blocks, which align to bytes of the original stream.
const plain = Buffer.concat([
  words(3 * 1024 * 1024, 5),
  randomBytes(1024 * 1024),
  words(2 * 1024 * 1024, 6),
  randomBytes(300 * 1024),
]);
const gz = gzipSync(plain);
const SPAN = 256 * 1024;

describe('gzip checkpoints', () => {
  it('inflate from the checkpoints, stored blocks included, to the same bytes as gunzip', async () => {
    const gunzip = new CheckpointingGunzip(SPAN);
    expect((await collect(gunzip, gz)).equals(plain)).toBe(true);
    const { checkpoints } = gunzip;
    expect(checkpoints.length).toBeGreaterThan(10);
    for (let from = 0; from < plain.length; from += 97_531) {
      const to = Math.min(plain.length, from + 20_000);
      const range = rangeFor(checkpoints, gz.length, from, to)!;
      expect(range.end - range.start).toBeLessThan(gz.length / 4);
      const parts: Buffer[] = [];
      await pipeline(
        Readable.from([gz.subarray(range.start, range.end)]),
        resumeInflater(range.point),
        new Writable({
          write: (part: Buffer, _encoding, callback) => {
            parts.push(part);
            callback();
          },
        }),
      );
      const out = Buffer.concat(parts).subarray(from - range.point.out, to - range.point.out);
      expect(out.equals(plain.subarray(from, to))).toBe(true);
    }
  });

  it('reads a multi-member gzip whole and marks its checkpoints unusable', async () => {
    const second = words(100_000, 9);
    const gunzip = new CheckpointingGunzip(SPAN);
    const out = await collect(gunzip, Buffer.concat([gz, gzipSync(second)]));
    expect(out.equals(Buffer.concat([plain, second]))).toBe(true);
    expect(gunzip.partial).toBe(true);
    expect(await buildSeekIndex(Readable.from([Buffer.concat([gz, gzipSync(second)])]))).toBeUndefined();
  });

  it('fails on a truncated gzip like gunzip does', async () => {
    await expect(collect(new CheckpointingGunzip(SPAN), gz.subarray(0, gz.length - 100))).rejects.toMatchObject({
      code: 'Z_BUF_ERROR',
    });
  });

  it('the seek file round-trips and a damaged one reads as absent', async () => {
    const built = (await buildSeekIndex(Readable.from([gz])))!;
    expect(built.compressedSize).toBe(gz.length);
    const file = encodeSeekIndex(built);
    const decoded = decodeSeekIndex(file)!;
    expect(decoded.checkpoints.map((point) => [point.in, point.out])).toEqual(
      built.checkpoints.map((point) => [point.in, point.out]),
    );
    expect(decoded.checkpoints.at(-1)!.window.equals(built.checkpoints.at(-1)!.window)).toBe(true);
    for (const position of [0, 9, Math.floor(file.length / 2), file.length - 1]) {
      const damaged = Buffer.from(file);
      damaged[position]! ^= 0x01;
      expect(decodeSeekIndex(damaged)).toBeUndefined();
    }
    expect(decodeSeekIndex(file.subarray(0, file.length - 1))).toBeUndefined();
  });
});

describe('entry offsets in the index', () => {
  it('records where each entry content starts in the tar, PAX and long names included', async () => {
    const longName = `dir/${'n'.repeat(150)}/file.txt`;
    const layer = await layerOf(
      [
        { name: 'a.txt', content: 'alpha' },
        { name: longName, content: 'long' },
        { name: 'b.bin', content: Buffer.alloc(1000, 7) },
      ],
      'gzip',
    );
    const { table } = await indexLayer({
      stream: Readable.from([layer.blob]),
      compressedSize: layer.blob.length,
      expectedDiffId: layer.diffId,
      label: 'test layer',
      limits: DEFAULT_LIMITS,
      zstd: 'js',
    });
    for (const [path, content] of [
      ['/a.txt', 'alpha'],
      [`/${longName}`, 'long'],
      ['/b.bin', Buffer.alloc(1000, 7).toString('latin1')],
    ] as const) {
      const row = table.rowOf(path);
      const offset = table.offset(row);
      expect(layer.tar.subarray(offset, offset + table.size(row)).toString('latin1')).toBe(content);
    }
  });
});
