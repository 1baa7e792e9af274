/**
 * One file of a gzip layer read with an HTTP Range request: the layer's seek index (built by streaming it
 * once, then kept on disk) gives where the entry's content starts in the tar and the checkpoint before it;
 * only the compressed bytes between that checkpoint and the next one after the file are fetched, inflated
 * from the checkpoint and checked against the hash the layer index recorded. Whenever this cannot answer
 * (no Range support, zstd or uncompressed layers, a file too large to hold until verified, bytes that do not
 * verify) it says so and the caller streams the layer as before.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { compressionOfMediaType } from './decompress';
import { rangeFor, resumeInflater } from './gzip-seek';
import type { IndexCache } from './index-cache';
import type { LayerTable } from './layer-table';
import { buildSeekIndex, decodeSeekIndex, encodeSeekIndex, type SeekIndex } from './seek-index';
import type { ImageSource, SourceLayer } from './sources/image-source';

/** Files up to this size are held until verified, so no unverified byte reaches the caller. */
export const MAX_RANGED_FILE_BYTES = 64 * 1024 * 1024;

export interface SeekAccess {
  cache: IndexCache;
  /** `--debug` messages: why a read fell back to streaming, when a seek index was (re)built. */
  debug?: ((message: string) => void) | undefined;
}

export interface RangedReadRequest {
  source: ImageSource;
  layer: SourceLayer;
  table: LayerTable;
  row: number;
  label: string;
  signal?: AbortSignal | undefined;
}

/** The seek index of the layer: from disk, else built by streaming the layer once (and kept). */
async function seekIndexOf(access: SeekAccess, request: RangedReadRequest): Promise<SeekIndex | undefined> {
  const { cache, debug } = access;
  const { layer, label } = request;
  const stored = await cache.getSeek(layer.digest);
  if (stored) {
    const decoded = decodeSeekIndex(stored);
    if (decoded && decoded.compressedSize === layer.size) return decoded;
    debug?.(`${label}: its gzip checkpoint file is damaged or outdated; building it again.`);
  } else {
    debug?.(`${label}: no gzip checkpoints yet; streaming the layer once to record them.`);
  }
  const stream = await request.source.openLayer(layer, request.signal);
  const built = await buildSeekIndex(stream, request.signal);
  if (!built) {
    debug?.(`${label} is a multi-member gzip; it has no checkpoints and is streamed.`);
    return undefined;
  }
  await cache.putSeek(layer.digest, encodeSeekIndex(built));
  return built;
}

/** The entry's bytes, verified, or undefined when the caller must stream the layer instead. */
export async function readEntryByRange(access: SeekAccess, request: RangedReadRequest): Promise<Buffer | undefined> {
  const { source, layer, table, row, label, signal } = request;
  const { debug } = access;
  if (!source.openLayerRange) return undefined;
  if (compressionOfMediaType(layer.mediaType) !== 'gzip') {
    debug?.(`${label} is not gzip (${layer.mediaType}); streaming it.`);
    return undefined;
  }
  const size = table.size(row);
  if (size > MAX_RANGED_FILE_BYTES) {
    debug?.(`${table.path(row)} is over ${MAX_RANGED_FILE_BYTES} bytes; streaming the layer.`);
    return undefined;
  }
  const seek = await seekIndexOf(access, request);
  const from = table.offset(row);
  const range = seek ? rangeFor(seek.checkpoints, layer.size, from, from + size) : undefined;
  if (!range) return undefined;
  const body = await source.openLayerRange(layer, range.start, range.end, signal);
  if (!body) {
    debug?.(`${label}: the registry ignored the Range request (answered 200); streaming the layer instead.`);
    return undefined;
  }
  debug?.(`${label}: read ${table.path(row)} from bytes ${range.start}-${range.end - 1} of ${layer.size}.`);
  const skip = from - range.point.out;
  const content = Buffer.alloc(size);
  let produced = 0;
  let filled = 0;
  try {
    await pipeline(
      body,
      resumeInflater(range.point),
      async (output: AsyncIterable<Buffer>) => {
        for await (const chunk of output) {
          const start = Math.max(0, skip - produced);
          produced += chunk.length;
          if (start < chunk.length) filled += chunk.copy(content, filled, start);
          if (filled >= size) return;
        }
      },
      signal ? { signal } : {},
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    // Once the file's bytes are in, what the inflater makes of the rest of the range does not matter.
    if (filled < size) debug?.(`${label}: inflating from the checkpoint failed (${(error as Error).message}).`);
  }
  const expected = table.hashHex(row);
  const actual = createHash('sha256').update(content).digest('hex');
  if (filled < size || (expected !== undefined && actual !== expected)) {
    // The checkpoints do not match this blob: drop them; streaming verifies and explains.
    debug?.(`${label}: the ranged read of ${table.path(row)} did not verify; streaming instead.`);
    await access.cache.putSeek(layer.digest, Buffer.alloc(0));
    return undefined;
  }
  return content;
}
