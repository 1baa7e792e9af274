/**
 * Which decompressor a layer blob needs, decided from its first bytes rather than its media type: docker
 * saves layers uncompressed under `...tar` names, some registries mislabel, and Docker and containerd detect
 * by magic number too (pkg/archive DetectCompression).
 */
import { Readable, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Compression } from '../../shared/types/layers';
import { createJsZstd, createNativeZstd, type ZstdImplementation } from './zstd';

export type PipelineStage = Transform | ((source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>);

/** zlib's output chunk: larger ones save hand-offs between zlib's thread and the parser, smaller ones memory (64 KiB: both). */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** What a media type says about compression, for layers whose blob is not read (cached indexes). */
export function compressionOfMediaType(mediaType: string): Compression {
  if (/gzip/.test(mediaType)) return 'gzip';
  if (/zstd/.test(mediaType)) return 'zstd';
  return 'none';
}

export function createDecompressor(compression: Compression, zstd: ZstdImplementation): PipelineStage | undefined {
  switch (compression) {
    case 'gzip':
      return createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    case 'zstd':
      return zstd === 'native' ? createNativeZstd() : createJsZstd();
    case 'none':
      return undefined;
  }
}

/**
 * Reads at least `bytes` bytes (fewer at the end of the stream) and gives them back with a stream that still
 * starts at the first byte (the same stream, or, when it already ended, one holding just those bytes).
 */
export async function peekHead(stream: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  const onEnd = () => {
    ended = true;
  };
  stream.once('end', onEnd);
  try {
    while (have < bytes && !ended) {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) {
        chunks.push(chunk);
        have += chunk.length;
        continue;
      }
      if (stream.readableEnded || stream.destroyed) break;
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          stream.off('readable', done);
          stream.off('end', done);
          stream.off('close', done);
          stream.off('error', failed);
          resolve();
        };
        const failed = (error: Error) => {
          done();
          reject(error);
        };
        stream.on('readable', done);
        stream.on('end', done);
        stream.on('close', done);
        stream.on('error', failed);
      });
      if (stream.errored) throw stream.errored;
    }
  } finally {
    stream.off('end', onEnd);
  }
  const head = Buffer.concat(chunks);
  if (ended || stream.readableEnded) return { head, stream: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) stream.unshift(head);
  return { head, stream };
}
