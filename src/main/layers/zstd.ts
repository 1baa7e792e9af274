/**
 * Streaming zstd for layers (`application/vnd.oci.image.layer.v1.tar+zstd`). Node gained a native zstd in
 * zlib (22.15 / 23.8; Electron's Node has it); Node 20, which runs the CLI, has none, so the pure-JS fzstd
 * takes over there. Both are bounded: the native one by zstd's own window limit, fzstd by a frame-header check
 * before it allocates a window (it accepts windows up to 2 GiB) and by feeding it small slices, so one input
 * chunk cannot expand into gigabytes of output before backpressure applies.
 * Format: RFC 8878 (https://www.rfc-editor.org/rfc/rfc8878).
 */
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { BerthError } from '../../shared/errors';

/** zstd's default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27): what `zstd -d` accepts without --long. */
export const MAX_WINDOW_BYTES = 2 ** 27;

/**
 * fzstd input slice. A slice can complete at most one block per 4 bytes (an RLE block: 3-byte header + 1
 * byte for up to 128 KiB of output), so 1 KiB bounds the output held between two backpressure points to
 * about 32 MiB even for a hostile stream; it is also no slower than large pushes.
 */
const FZSTD_SLICE = 1024;

type ZstdFactory = (options?: { params?: Record<number, number> }) => Transform;

function nativeFactory(): ZstdFactory | undefined {
  const candidate = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;
  return typeof candidate === 'function' ? candidate : undefined;
}

export function hasNativeZstd(): boolean {
  return nativeFactory() !== undefined;
}

export type ZstdImplementation = 'native' | 'js';

export function defaultZstdImplementation(): ZstdImplementation {
  return hasNativeZstd() ? 'native' : 'js';
}

/** A native zstd Transform limited to MAX_WINDOW_BYTES. Only call when hasNativeZstd(). */
export function createNativeZstd(): Transform {
  const factory = nativeFactory();
  if (!factory) throw new BerthError('unsupported', 'This Node has no built-in zstd; use the JavaScript decoder.');
  const windowLogMax = (zlib.constants as unknown as Record<string, number>).ZSTD_d_windowLogMax;
  return factory(windowLogMax === undefined ? {} : { params: { [windowLogMax]: Math.log2(MAX_WINDOW_BYTES) } });
}

function corrupt(why: string): BerthError {
  return new BerthError('bad_response', `The layer is not valid zstd data: ${why}.`);
}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type GuardState = 'magic' | 'descriptor' | 'frameHeader' | 'skippableSize' | 'blockHeader' | 'skip';

/**
 * Walks the frame and block headers of a zstd stream (never the compressed data) to refuse a frame whose
 * window is larger than MAX_WINDOW_BYTES before the decoder allocates it.
 */
export class ZstdFrameGuard {
  private state: GuardState = 'magic';
  private readonly header = Buffer.alloc(18);
  private have = 0;
  private need = 4;
  private skipBytes = 0;
  private afterSkip: GuardState = 'magic';
  private contentChecksum = false;

  scan(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.state === 'skip') {
        const step = Math.min(this.skipBytes, chunk.length - offset);
        offset += step;
        this.skipBytes -= step;
        if (this.skipBytes === 0) this.enter(this.afterSkip);
        continue;
      }
      this.header[this.have++] = chunk[offset++]!;
      if (this.have === this.need) this.onHeader();
    }
  }

  private enter(state: GuardState): void {
    this.state = state;
    this.have = 0;
    this.need = state === 'blockHeader' ? 3 : 4;
  }

  private skip(bytes: number, then: GuardState): void {
    if (bytes === 0) {
      this.enter(then);
      return;
    }
    this.state = 'skip';
    this.skipBytes = bytes;
    this.afterSkip = then;
  }

  private onHeader(): void {
    const h = this.header;
    switch (this.state) {
      case 'magic': {
        const magic = h.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) {
          this.state = 'descriptor';
          this.need = 5;
        } else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.state = 'skippableSize';
          this.need = 8;
        } else {
          throw corrupt('a frame does not start with the zstd magic number');
        }
        return;
      }
      case 'descriptor': {
        const descriptor = h[4]!;
        if (descriptor & 0x08) throw corrupt('a frame header has its reserved bit set');
        const singleSegment = (descriptor >> 5) & 1;
        const sizeFlag = descriptor >> 6;
        const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
        const sizeBytes = sizeFlag === 0 ? singleSegment : [0, 2, 4, 8][sizeFlag]!;
        this.contentChecksum = ((descriptor >> 2) & 1) === 1;
        this.state = 'frameHeader';
        this.need = 5 + (singleSegment ? 0 : 1) + dictionaryBytes + sizeBytes;
        return;
      }
      case 'frameHeader': {
        const descriptor = h[4]!;
        const singleSegment = (descriptor >> 5) & 1;
        let window: number;
        if (singleSegment) {
          const sizeFlag = descriptor >> 6;
          const sizeBytes = sizeFlag === 0 ? 1 : [0, 2, 4, 8][sizeFlag]!;
          let contentSize = 0;
          for (let i = sizeBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + h[this.need - sizeBytes + i]!;
          window = contentSize + (sizeFlag === 1 ? 256 : 0);
        } else {
          const descriptorByte = h[5]!;
          const base = 2 ** (10 + (descriptorByte >> 3));
          window = base + (base / 8) * (descriptorByte & 7);
        }
        if (window > MAX_WINDOW_BYTES) {
          throw new BerthError(
            'too_large',
            `The layer's zstd frame needs a ${Math.round(window / 2 ** 20)} MiB window; Berth decodes up to ${MAX_WINDOW_BYTES / 2 ** 20} MiB, as zstd does by default.`,
          );
        }
        this.enter('blockHeader');
        return;
      }
      case 'skippableSize':
        this.skip(h.readUInt32LE(4), 'magic');
        return;
      case 'blockHeader': {
        const value = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        const last = value & 1;
        const type = (value >> 1) & 3;
        if (type === 3) throw corrupt('a block has the reserved type');
        const payload = type === 1 ? 1 : value >>> 3;
        if (!last) this.skip(payload, 'blockHeader');
        else this.skip(payload + (this.contentChecksum ? 4 : 0), 'magic');
        return;
      }
      case 'skip':
        return;
    }
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** fzstd as a pipeline stage: an async generator, so each yield waits for the consumer (backpressure). */
export function createJsZstd(): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* decodeZstd(source) {
    const guard = new ZstdFrameGuard();
    const output: Uint8Array[] = [];
    const decoder = new Decompress((chunk) => {
      if (chunk.length > 0) output.push(chunk);
    });
    const push = (slice: Uint8Array, final: boolean): void => {
      try {
        decoder.push(slice, final);
      } catch (error) {
        throw error instanceof BerthError ? error : corrupt((error as Error).message.toLowerCase());
      }
    };
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.length; offset += FZSTD_SLICE) {
        const slice = chunk.subarray(offset, offset + FZSTD_SLICE);
        guard.scan(slice);
        push(slice, false);
        while (output.length > 0) yield toBuffer(output.shift()!);
      }
    }
    push(new Uint8Array(0), true);
    while (output.length > 0) yield toBuffer(output.shift()!);
  };
}
