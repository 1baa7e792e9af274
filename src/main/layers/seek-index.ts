/**
 * A gzip layer's seek index: its gzip checkpoints (`gzip-seek.ts`); with the entries' offsets in the tar
 * (in the layer index) one file can be read with a ranged request of a few MiB instead of the layer.
 * Recorded by streaming the layer once, at the first read of one of its files (not while indexing: pako's
 * inflater costs about 2.5x native gunzip, see BENCHMARKS.md); kept in the index cache folder under the blob's
 * digest (checkpoints belong to one compressed form of the content, unlike the index, keyed by diffID).
 *
 * File: MAGIC, then the raw-deflated body (JSON header with the checkpoints, then their windows), then the
 * sha256 of everything before it. A file that fails the checksum or the format reads as absent, so it is
 * built again.
 */
import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CheckpointingGunzip, type GzipCheckpoint } from './gzip-seek';

const MAGIC = Buffer.from('BERTHGZ1', 'latin1');
const CHECKSUM_BYTES = 32;

export interface SeekIndex {
  compressedSize: number;
  checkpoints: GzipCheckpoint[];
}

interface SeekHeader {
  compressedSize: number;
  points: { in: number; out: number; window: number }[];
}

export function encodeSeekIndex(index: SeekIndex): Buffer {
  const header: SeekHeader = {
    compressedSize: index.compressedSize,
    points: index.checkpoints.map((point) => ({
      in: point.in,
      out: point.out,
      window: point.window.length,
    })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  // Level 1: windows of text compress well and fast; this runs once per layer.
  const body = deflateRawSync(Buffer.concat([length, json, ...index.checkpoints.map((p) => p.window)]), {
    level: 1,
  });
  const head = Buffer.concat([MAGIC, body]);
  return Buffer.concat([head, createHash('sha256').update(head).digest()]);
}

/** Undefined when the bytes are not a complete, intact seek index of the current format. */
export function decodeSeekIndex(file: Buffer): SeekIndex | undefined {
  if (file.length < MAGIC.length + CHECKSUM_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const head = file.subarray(0, file.length - CHECKSUM_BYTES);
  if (
    !createHash('sha256')
      .update(head)
      .digest()
      .equals(file.subarray(file.length - CHECKSUM_BYTES))
  )
    return undefined;
  try {
    const body = inflateRawSync(head.subarray(MAGIC.length));
    const jsonLength = body.readUInt32LE(0);
    const header = JSON.parse(body.toString('utf8', 4, 4 + jsonLength)) as SeekHeader;
    let offset = 4 + jsonLength;
    const checkpoints = header.points.map((point) => {
      const window = Buffer.from(body.subarray(offset, offset + point.window));
      offset += point.window;
      return { in: point.in, out: point.out, window };
    });
    if (offset !== body.length) return undefined;
    return { compressedSize: header.compressedSize, checkpoints };
  } catch {
    return undefined;
  }
}

/** Streams a gzip layer once for its checkpoints; undefined for a multi-member gzip (they would cover one member). */
export async function buildSeekIndex(stream: Readable, signal?: AbortSignal): Promise<SeekIndex | undefined> {
  let compressedSize = 0;
  stream.on('data', (chunk: Buffer) => (compressedSize += chunk.length));
  const gunzip = new CheckpointingGunzip();
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await pipeline(stream, gunzip, discard, signal ? { signal } : {});
  } catch (error) {
    if (gunzip.partial) return undefined;
    throw error;
  }
  return gunzip.partial ? undefined : { compressedSize, checkpoints: gunzip.checkpoints };
}
