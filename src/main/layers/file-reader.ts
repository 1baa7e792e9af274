/**
 * One file's bytes out of an image: the path is resolved in the merged tree (symlinks followed inside the
 * image root, as a container would, at most 40 hops like Linux), then the layer holding the file is streamed
 * again up to that entry (found by its position in the tar, so duplicate names resolve to the entry the index
 * kept) and the reading stops there. The bytes are checked against the sha256 the index recorded, so a
 * source that changed since indexing cannot slip in other content.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as createExtract } from 'tar-stream';
import { BerthError } from '../../shared/errors';
import { throwIfAborted } from '../util/async';
import { createDecompressor, peekHead, sniffCompression } from './decompress';
import { TYPE, type LayerTable } from './layer-table';
import { layerOfRef, rowOfRef, type EntryRef, type MergedTree } from './merged-tree';
import { resolveInRoot } from './tar-path';
import type { ZstdImplementation } from './zstd';

const MAX_SYMLINK_HOPS = 40;

export interface ResolvedFile {
  /** The path the bytes come from, after following symlinks. */
  path: string;
  ref: EntryRef;
  /** The layer and row whose tar entry holds the bytes (a hard link's target). */
  layer: number;
  row: number;
  size: number;
  sha256?: string;
}

/** Follows symlinks in every component of `path`, chroot-style (`..` stops at `/`). */
export function resolveFile(tree: MergedTree, path: string): ResolvedFile {
  let pending = resolveInRoot(path).split('/').filter(Boolean);
  let current = '/';
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    const next = current === '/' ? `/${name}` : `${current}/${name}`;
    const ref = tree.ref(next);
    if (ref === undefined)
      throw new BerthError(
        'not_found',
        `${path} does not exist in the image${next !== path ? ` (${next} is missing)` : ''}.`,
      );
    if (tree.typeCode(ref) === TYPE.symlink) {
      if (++hops > MAX_SYMLINK_HOPS)
        throw new BerthError('invalid_input', `${path} goes through more than ${MAX_SYMLINK_HOPS} symlinks (a loop?).`);
      const target = tree.link(ref);
      const base = target.startsWith('/') ? target : `${current === '/' ? '' : current}/${target}`;
      pending = [...resolveInRoot(base).split('/').filter(Boolean), ...pending];
      current = '/';
      continue;
    }
    if (pending.length > 0 && !tree.isDirectory(ref))
      throw new BerthError('not_found', `${path} does not exist in the image (${next} is not a directory).`);
    current = next;
  }
  const ref = tree.ref(current);
  if (ref === undefined || current === '/') throw new BerthError('invalid_input', `${path} is a directory.`);
  const type = tree.typeCode(ref);
  if (type === TYPE.dir) throw new BerthError('invalid_input', `${path} is a directory.`);
  if (type !== TYPE.file && type !== TYPE.hardlink)
    throw new BerthError('invalid_input', `${path} is not a regular file.`);
  const content = tree.contentRef(current, ref);
  const layer = layerOfRef(content);
  let row = rowOfRef(content);
  const table = tree.layers[layer]!;
  if (table.typeCode(row) === TYPE.hardlink) {
    // A hard link to an earlier entry of its own layer: the bytes are stored with that entry.
    const targetRow = table.rowOf(table.link(row));
    if (targetRow < 0 || table.typeCode(targetRow) !== TYPE.file)
      throw new BerthError(
        'not_found',
        `${path} is a hard link to ${table.link(row) || 'an unknown file'}, which the layer does not have.`,
      );
    row = targetRow;
  }
  if (tree.layers[layer]!.typeCode(row) !== TYPE.file)
    throw new BerthError('not_found', `${path} has no content in its layer.`);
  const sha256 = tree.layers[layer]!.hashHex(row);
  return {
    path: current,
    ref,
    layer,
    row,
    size: tree.layers[layer]!.size(row),
    ...(sha256 !== undefined ? { sha256 } : {}),
  };
}

export interface ReadEntryRequest {
  /** The layer blob as stored. */
  stream: Readable;
  table: LayerTable;
  row: number;
  label: string;
  zstd: ZstdImplementation;
  signal?: AbortSignal;
  /** Receives the entry's bytes in order; may return a promise to apply backpressure. */
  onData: (chunk: Buffer) => void | Promise<void>;
}

/** Streams one entry's content out of a layer blob and verifies it against the index's hash. */
export async function readLayerEntry(request: ReadEntryRequest): Promise<void> {
  const { row, onData, ...rest } = request;
  await readLayerEntries({ ...rest, rows: [row], onData: (_row, chunk) => onData(chunk) });
}

export interface ReadEntriesRequest extends Omit<ReadEntryRequest, 'row' | 'onData'> {
  /** Rows of `table` (regular files) to read, in any order. */
  rows: readonly number[];
  /** Receives each entry's bytes in order, entry after entry in tar order; may return a promise. */
  onData: (row: number, chunk: Buffer) => void | Promise<void>;
  /** Called once an entry's bytes are all read and verified. */
  onEnd?: (row: number) => void;
}

/**
 * Streams several entries' contents out of one pass over a layer blob, verifying each against the index's
 * hash, and stops reading the layer after the last of them.
 */
export async function readLayerEntries(request: ReadEntriesRequest): Promise<void> {
  const { table, label } = request;
  if (request.rows.length === 0) return;
  const wanted = new Map(request.rows.map((row) => [table.ordinal(row), row]));
  const lastOrdinal = Math.max(...wanted.keys());
  const stop = new AbortController();
  const abortFromCaller = () => stop.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', abortFromCaller, { once: true });
  let reading: Promise<void> | undefined;
  const verified = new Set<number>();
  let failure: { row: number; error: unknown } | undefined;
  const extract = createExtract({ allowUnknownFormat: true } as Parameters<typeof createExtract>[0]);
  let position = 0;
  extract.on('entry', (_header, entry, next) => {
    entry.on('error', () => undefined);
    const ordinal = position++;
    const row = wanted.get(ordinal);
    if (row === undefined || failure !== undefined) {
      entry.on('end', () => next());
      entry.resume();
      return;
    }
    const expected = table.hashHex(row);
    const hash = createHash('sha256');
    reading = (async () => {
      try {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          await request.onData(row, chunk);
        }
        const actual = hash.digest('hex');
        if (expected !== undefined && actual !== expected) {
          throw new BerthError(
            'digest_mismatch',
            `${table.path(row)} in ${label} does not match its indexed content (sha256 ${expected.slice(0, 12)}…, read ${actual.slice(0, 12)}…); the source changed since it was indexed.`,
          );
        }
        verified.add(row);
        request.onEnd?.(row);
      } catch (error) {
        failure = { row, error };
      }
      // Nothing after the last wanted entry is needed: stop reading the layer.
      if (ordinal === lastOrdinal || failure !== undefined) stop.abort();
      else next();
    })();
  });
  const cancelled = 'Reading the file was cancelled.';
  let input = request.stream;
  try {
    const peeked = await peekHead(request.stream, 4);
    input = peeked.stream;
    const decompressor = createDecompressor(sniffCompression(peeked.head), request.zstd);
    const stages: unknown[] = [input, ...(decompressor ? [decompressor] : []), extract];
    await (pipeline as (...args: unknown[]) => Promise<void>)(...stages, { signal: stop.signal });
  } catch (error) {
    input.destroy();
    throwIfAborted(request.signal, cancelled);
    // Stopping after the last entry aborts the pipeline on purpose; any other failure before it is real.
    if (!stop.signal.aborted)
      throw error instanceof BerthError
        ? error
        : new BerthError('bad_response', `${label} could not be read again (${(error as Error).message}).`);
  } finally {
    request.signal?.removeEventListener('abort', abortFromCaller);
  }
  await reading;
  throwIfAborted(request.signal, cancelled);
  if (failure !== undefined)
    throw failure.error instanceof BerthError
      ? failure.error
      : new BerthError(
          'bad_response',
          `${table.path(failure.row)} in ${label} could not be read (${(failure.error as Error).message}).`,
        );
  const missing = [...wanted.entries()].find(([, row]) => !verified.has(row));
  if (missing !== undefined) {
    const [ordinal, row] = missing;
    throw new BerthError(
      'bad_response',
      ordinal >= position
        ? `${label} ended before ${table.path(row)} (entry ${ordinal}); the source changed since it was indexed.`
        : `${table.path(row)} in ${label} ended early.`,
    );
  }
}

export function isProbablyText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 8000);
  if (sample.includes(0)) return false;
  // A cut at the preview limit may split a multi-byte character: ignore an incomplete tail.
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (back < needed) end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
