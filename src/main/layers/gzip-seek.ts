/**
 * Random access into a gzip layer without reading the layer: the zran technique
 * (https://github.com/madler/zlib/blob/develop/examples/zran.c, as the SOCI snapshotter and oci.dag.dev use it).
 *
 * While a layer streams once, `CheckpointingGunzip` inflates it with pako's zlib port, which, unlike Node's
 * zlib, stops at deflate block boundaries (`Z_BLOCK`) and reports the bit position there (`data_type`). After
 * every `SPAN_BYTES` of output it records a checkpoint at the next block boundary that falls on a byte
 * boundary: the compressed offset, the uncompressed offset and the 32 KiB of output before it (the
 * back-reference window). zran also takes unaligned boundaries and primes the inflater with the leftover bits
 * (`inflatePrime`, which Node's zlib lacks); shifting the bytes instead breaks stored blocks, which align to
 * the original bytes, so Berth waits for an aligned boundary (one block in eight, a few hundred KiB later).
 *
 * To read bytes later, the compressed range from the checkpoint before them to the one after them is fetched
 * and fed to Node's native raw inflater with the window as its dictionary.
 */
import { createInflateRaw, constants as zlibConstants } from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import {
  Z_BLOCK,
  Z_BUF_ERROR,
  Z_OK,
  Z_STREAM_END,
  ZStream,
  zlibInflate,
  zlibInflateInit2,
  zlibInflateReset,
} from 'pako';

/** Uncompressed bytes between checkpoints: SOCI's default span; a range read fetches about this much, compressed. */
export const SPAN_BYTES = 4 * 1024 * 1024;
const WINDOW_BYTES = 32 * 1024;
const OUTPUT_CHUNK = 64 * 1024;

export interface GzipCheckpoint {
  /** Offset in the compressed blob where the next deflate block starts (byte-aligned). */
  in: number;
  /** Uncompressed offset the checkpoint starts at. */
  out: number;
  /** The (up to) 32 KiB of output before `out`. */
  window: Buffer;
}

/**
 * A gunzip stage that also records checkpoints. Multi-member gzip is read whole, but checkpoints cover only
 * the first member (`partial`): image builders write one member.
 */
export class CheckpointingGunzip extends Transform {
  readonly checkpoints: GzipCheckpoint[] = [];
  /** Set when the stream holds more than one gzip member: the checkpoints are then not used. */
  partial = false;
  private readonly strm = new ZStream();
  private totalIn = 0;
  private totalOut = 0;
  private lastPoint = -Infinity;
  private ended = false;
  /** Recent output, newest last, covering at least WINDOW_BYTES when that much was produced. */
  private recent: Buffer[] = [];
  private recentBytes = 0;

  constructor(private readonly span = SPAN_BYTES) {
    super();
    // 15 + 16: a gzip wrapper with the largest window.
    zlibInflateInit2(this.strm, 15 + 16);
    this.resetOutput();
  }

  private resetOutput(): void {
    this.strm.output = new Uint8Array(OUTPUT_CHUNK);
    this.strm.next_out = 0;
    this.strm.avail_out = OUTPUT_CHUNK;
  }

  private emitOutput(): void {
    const produced = this.strm.next_out;
    if (produced === 0) return;
    const chunk = Buffer.from(this.strm.output!.buffer, 0, produced);
    this.totalOut += produced;
    this.recent.push(chunk);
    this.recentBytes += produced;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.length >= WINDOW_BYTES)
      this.recentBytes -= this.recent.shift()!.length;
    this.push(chunk);
    this.resetOutput();
  }

  private window(): Buffer {
    const all = Buffer.concat(this.recent, this.recentBytes);
    return Buffer.from(all.subarray(Math.max(0, all.length - WINDOW_BYTES)));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const strm = this.strm;
    strm.input = chunk;
    strm.next_in = 0;
    strm.avail_in = chunk.length;
    for (;;) {
      if (this.ended) {
        // After a member: another member follows (gunzip reads them all; checkpoints cover the first only),
        // or trailing bytes, which gunzip ignores too.
        if (strm.avail_in === 0) break;
        if (strm.input![strm.next_in] !== 0x1f) break;
        this.partial = true;
        this.ended = false;
        zlibInflateReset(strm);
      }
      const status = zlibInflate(strm, Z_BLOCK);
      if (status !== Z_OK && status !== Z_STREAM_END && status !== Z_BUF_ERROR) {
        callback(Object.assign(new Error(strm.msg || 'invalid gzip data'), { code: 'Z_DATA_ERROR' }));
        return;
      }
      if (strm.avail_out === 0) this.emitOutput();
      if (status === Z_STREAM_END) {
        this.emitOutput();
        this.ended = true;
        continue;
      }
      // At a block boundary that is not after the last block (zran's test), on a byte boundary.
      const atBoundary = (strm.data_type & 128) !== 0 && (strm.data_type & 64) === 0 && (strm.data_type & 7) === 0;
      if (atBoundary && !this.partial && this.totalOut + strm.next_out - this.lastPoint >= this.span) {
        this.emitOutput();
        this.checkpoints.push({
          in: this.totalIn + strm.next_in,
          out: this.totalOut,
          window: this.window(),
        });
        this.lastPoint = this.totalOut;
      }
      if ((strm.avail_in === 0 || status === Z_BUF_ERROR) && strm.avail_out > 0) break;
    }
    this.totalIn += chunk.length;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.emitOutput();
    if (!this.ended) {
      callback(Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }));
      return;
    }
    callback();
  }
}

/** The compressed byte range [start, end) to fetch to inflate uncompressed bytes [from, to). */
export function rangeFor(
  checkpoints: readonly GzipCheckpoint[],
  compressedSize: number,
  from: number,
  to: number,
): { point: GzipCheckpoint; start: number; end: number } | undefined {
  let point: GzipCheckpoint | undefined;
  let next: GzipCheckpoint | undefined;
  for (const candidate of checkpoints) {
    if (candidate.out <= from) point = candidate;
    else if (candidate.out >= to) {
      next = candidate;
      break;
    }
  }
  if (!point) return undefined;
  return { point, start: point.in, end: next ? next.in : compressedSize };
}

/** Native raw inflater resumed at `point` (its input: the range from `point.in`). */
export function resumeInflater(point: GzipCheckpoint): Transform {
  return createInflateRaw({
    ...(point.window.length > 0 ? { dictionary: point.window } : {}),
    // The range ends mid-stream by design: no "unexpected end" error at its end.
    finishFlush: zlibConstants.Z_SYNC_FLUSH,
    chunkSize: OUTPUT_CHUNK,
  });
}
