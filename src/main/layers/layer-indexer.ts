/**
 * Indexes one layer blob as it streams: raw bytes (digest, size) -> gunzip/zstd -> uncompressed bytes (diffID,
 * expansion bound) -> tar parser -> one row per entry with the sha256 of its content. Nothing is buffered
 * beyond the streams' high-water marks, so memory does not grow with the layer; only the rows do (a few
 * hundred bytes per entry). The blob's digest and diffID are checked at the end: an index is only returned
 * (and so only cached) for bytes that are exactly the layer the image names.
 *
 * Tar: ustar, GNU (long names and links) and PAX (path, linkpath, size, mtime, uid, gid) through tar-stream.
 * Whiteouts: https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as createExtract, type Header as TarHeader } from 'tar-stream';
import { BerthError } from '../../shared/errors';
import type { Compression, EntryType } from '../../shared/types/layers';
import { abortError } from '../util/async';
import { createDecompressor, peekHead, sniffCompression, type PipelineStage } from './decompress';
import { LayerTableBuilder, TYPE, type LayerTable } from './layer-table';
import { expandedBudget, formatBytes, type IndexLimits } from './limits';
import { baseName, joinPath, normalizeEntryName, parentPath } from './tar-path';
import type { ZstdImplementation } from './zstd';

export interface IndexRequest {
  /** The blob's bytes as stored (compressed or not). The indexer consumes and closes it. */
  stream: Readable;
  /** Size the descriptor gives; checked when the source does not check it itself. */
  compressedSize: number;
  /** Digest of the raw bytes to verify; omit when the source already verifies (the registry client does). */
  expectedDigest?: string;
  /** sha256 of the uncompressed tar, from the config's rootfs.diff_ids. Always verified. */
  expectedDiffId: string;
  /** How messages name the layer: "layer 2 of dev/app:1.0 (sha256:0123…)". */
  label: string;
  limits: IndexLimits;
  zstd: ZstdImplementation;
  signal?: AbortSignal;
  /** Raw bytes read so far, for progress. */
  onProgress?: (bytesRead: number) => void;
  capture?: LayerCapture;
}

/** A regular file as a capture sees it. */
export interface CaptureFile {
  path: string;
  size: number;
  mode: number;
}

/**
 * Files whose bytes are kept while the layer is indexed (package metadata for the package inventory), so
 * reading them costs no second pass over the layer.
 */
export interface LayerCapture {
  wants(file: CaptureFile): boolean;
  /** What is kept of a wanted file's bytes (all of them when absent), e.g. a binary's few bytes of metadata. */
  reduce?(file: CaptureFile, bytes: Buffer): Buffer;
  /** The most bytes kept for one layer; files past it are read again when asked for. */
  maxBytes: number;
}

export interface IndexResult {
  table: LayerTable;
  compression: Compression;
  /** Path -> kept bytes of the files `capture` wanted. */
  captured?: Map<string, Buffer>;
}

const WHITEOUT_PREFIX = '.wh.';
/** AUFS bookkeeping entries (`.wh..wh.plnk`, `.wh..wh.aufs`) start like this; Docker skips them. */
const WHITEOUT_META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const MAX_WARNINGS = 100;

function hasherFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512')
    throw new BerthError(
      'unsupported',
      `Digests with ${algorithm || 'no algorithm'} cannot be verified (sha256 and sha512 can).`,
    );
  return createHash(algorithm);
}

/** Counts and optionally hashes the bytes passing through; calls `check` after each chunk. */
class Meter extends Transform {
  bytes = 0;
  constructor(
    readonly hash: Hash | undefined,
    private readonly check: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    try {
      this.check(this.bytes);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
}

function entryTypeOf(header: TarHeader): EntryType | undefined {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'char';
    case 'block-device':
      return 'block';
    case 'fifo':
      return 'fifo';
    default:
      return undefined;
  }
}

function paxNumber(pax: Record<string, string> | null | undefined, key: string): number | undefined {
  const text = pax?.[key];
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Owner ids are 32-bit on Linux; PAX allows any number, which no container could use. */
function ownerId(value: number | undefined): number {
  return value === undefined || !Number.isFinite(value) || value < 0 ? 0 : Math.min(value, 0xffffffff);
}

class EntryCollector {
  readonly builder = new LayerTableBuilder();
  readonly warnings: string[] = [];
  private entries = 0;

  constructor(
    private readonly label: string,
    private readonly maxEntries: number,
  ) {}

  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message);
    else if (this.warnings.length === MAX_WARNINGS)
      this.warnings.push('More problems were found; only the first ones are listed.');
  }

  /** Records the entry; returns the row whose content hash the entry's bytes give, or -1 when none. */
  add(header: TarHeader): number {
    const ordinal = this.entries++;
    if (this.entries > this.maxEntries) {
      throw new BerthError(
        'too_large',
        `${this.label} has more than ${this.maxEntries.toLocaleString('en')} entries; Berth stops there.`,
      );
    }
    const name = normalizeEntryName(header.name);
    if (!name.ok) {
      this.warn(`Entry ${JSON.stringify(header.name.slice(0, 256))} ${name.reason}; it is ignored.`);
      return -1;
    }
    if (name.absolute)
      this.warn(`Entry ${JSON.stringify(header.name.slice(0, 256))} has an absolute name; it is read as ${name.path}.`);
    let type = entryTypeOf(header);
    if (type === undefined) {
      this.warn(`Entry ${name.path} has a tar entry type Berth does not know; it is shown as a regular file.`);
      type = 'file';
    }
    let path = name.path;
    const base = baseName(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = parentPath(path) || '/';
      if (base === OPAQUE_MARKER) {
        type = 'opaque';
        path = dir;
      } else if (base.startsWith(WHITEOUT_META_PREFIX)) {
        return -1;
      } else if (base.length === WHITEOUT_PREFIX.length) {
        this.warn(`Entry ${name.path} is a whiteout that names nothing; it is ignored.`);
        return -1;
      } else {
        type = 'whiteout';
        path = joinPath(dir, base.slice(WHITEOUT_PREFIX.length));
      }
    }
    let link = '';
    if (type === 'symlink') link = header.linkname ?? '';
    if (type === 'hardlink') {
      const target = normalizeEntryName(header.linkname ?? '');
      if (target.ok) link = target.path;
      else this.warn(`Hard link ${path} ${target.reason.replace('has', 'has a target with')}; its target is unknown.`);
    }
    const pax = header.pax as Record<string, string> | null | undefined;
    const mtime = paxNumber(pax, 'mtime') ?? (header.mtime ? header.mtime.getTime() / 1000 : 0);
    const isMarker = type === 'whiteout' || type === 'opaque';
    const row = this.builder.put({
      path,
      type,
      size: type === 'file' ? (header.size ?? 0) : 0,
      mode: isMarker ? 0 : (header.mode ?? 0) & 0o7777,
      uid: ownerId(paxNumber(pax, 'uid') ?? header.uid),
      gid: ownerId(paxNumber(pax, 'gid') ?? header.gid),
      mtime,
      link,
      ordinal,
      // tar-stream's position of the entry's data, after its own and any PAX / GNU long-name headers.
      offset: (header as { byteOffset?: number }).byteOffset ?? 0,
      devMajor: header.devmajor ?? 0,
      devMinor: header.devminor ?? 0,
    });
    if (type === 'hardlink' && link !== '') this.resolveHardlink(row, link);
    return type === 'file' ? row : -1;
  }

  /** A hard link shows the size and content hash of the earlier entry it links to (tar stores no data for it). */
  private resolveHardlink(row: number, target: string): void {
    const targetRow = this.builder.fileRow(target);
    if (targetRow < 0) return;
    const targetType = this.builder.typeOf(targetRow);
    if (targetType !== TYPE.file && targetType !== TYPE.hardlink) return;
    this.builder.setSize(row, this.builder.sizeOf(targetRow));
    const hash = this.builder.hashOf(targetRow);
    if (hash) this.builder.setHash(row, hash);
  }
}

function failure(error: unknown, request: IndexRequest, compression: Compression): unknown {
  if (request.signal?.aborted) return abortError(request.signal, `Indexing ${request.label} was cancelled.`);
  if (error instanceof BerthError) {
    return error.message.startsWith(request.label)
      ? error
      : new BerthError(error.code, `${request.label}: ${error.message}`, error.details);
  }
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(text)) {
    return new BerthError(
      'bad_response',
      `${request.label} is truncated: its ${compression} stream ends before the data does.`,
    );
  }
  // zlib's codes (Z_DATA_ERROR...) and, on Node with native zstd, its ZSTD_error_* ones.
  if (typeof code === 'string' && (code.startsWith('Z_') || code.toUpperCase().includes('ZSTD'))) {
    return new BerthError('bad_response', `${request.label} is not valid ${compression} data (${text}).`);
  }
  if (/Invalid tar header/i.test(text)) {
    return new BerthError(
      'bad_response',
      `${request.label} is not a valid tar: a header's checksum does not match (corrupt data${compression === 'none' ? ', or a compression Berth does not know' : ''}).`,
    );
  }
  if (/Unexpected end of data/i.test(text))
    return new BerthError('bad_response', `${request.label} is truncated: its tar ends inside an entry.`);
  if (/Header exceeds max size/i.test(text))
    return new BerthError('too_large', `${request.label} has a tar extended header over 4 MiB; Berth refuses it.`);
  if (/Invalid header/i.test(text))
    return new BerthError('bad_response', `${request.label} has a tar header with an invalid size.`);
  return error;
}

export async function indexLayer(request: IndexRequest): Promise<IndexResult> {
  let compression: Compression = 'none';
  let input = request.stream;
  try {
    const peeked = await peekHead(request.stream, 4);
    input = peeked.stream;
    compression = sniffCompression(peeked.head);
    return await runIndex(request, input, compression);
  } catch (error) {
    input.destroy();
    request.stream.destroy();
    throw failure(error, request, compression);
  }
}

async function runIndex(request: IndexRequest, input: Readable, compression: Compression): Promise<IndexResult> {
  const { label, limits } = request;
  const uncompressed = compression === 'none';
  // An uncompressed blob's digest is its diffID: one hash serves both.
  const rawHash =
    request.expectedDigest !== undefined && !(uncompressed && request.expectedDigest === request.expectedDiffId)
      ? hasherFor(request.expectedDigest)
      : undefined;
  const diffHash = hasherFor(request.expectedDiffId);
  const budget = uncompressed ? Number.POSITIVE_INFINITY : expandedBudget(limits, request.compressedSize);

  const raw = new Meter(rawHash, (bytes) => request.onProgress?.(bytes));
  const tar = new Meter(diffHash, (bytes) => {
    if (bytes > budget) {
      throw new BerthError(
        'too_large',
        `${label} expands beyond ${formatBytes(budget)} (${Math.round(budget / Math.max(1, request.compressedSize))}x its compressed size); Berth stops there to protect against decompression bombs.`,
      );
    }
  });
  const collector = new EntryCollector(label, limits.maxEntries);
  const { capture } = request;
  const captured = new Map<string, Buffer>();
  let capturedBytes = 0;
  const capturing = (row: number, mode: number): CaptureFile | undefined => {
    if (!capture || collector.builder.typeOf(row) !== TYPE.file) return undefined;
    const file = { path: collector.builder.pathOf(row), size: collector.builder.sizeOf(row), mode };
    return capturedBytes < capture.maxBytes && capture.wants(file) ? file : undefined;
  };
  const keep = (file: CaptureFile, bytes: Buffer) => {
    const kept = capture!.reduce ? capture!.reduce(file, bytes) : bytes;
    if (capturedBytes + kept.length > capture!.maxBytes) return;
    captured.set(file.path, kept);
    capturedBytes += kept.length;
  };
  const extract = createExtract({ allowUnknownFormat: true } as Parameters<typeof createExtract>[0]);
  extract.on('entry', (header, entry, next) => {
    // Errors reach us through the pipeline; an entry stream's own copy of the error must not go unhandled.
    entry.on('error', () => undefined);
    let row: number;
    try {
      row = collector.add(header);
    } catch (error) {
      extract.destroy(error as Error);
      return;
    }
    if (row < 0) {
      entry.on('end', () => next());
      entry.resume();
      return;
    }
    const hash = createHash('sha256');
    const file = capturing(row, header.mode ?? 0);
    const chunks: Buffer[] = [];
    entry.on('data', (chunk) => {
      hash.update(chunk as Buffer);
      if (file) chunks.push(chunk as Buffer);
    });
    entry.on('end', () => {
      collector.builder.setHash(row, hash.digest());
      if (file) keep(file, Buffer.concat(chunks));
      next();
    });
  });

  const decompressor: PipelineStage | undefined = createDecompressor(compression, request.zstd);
  const stages: (Readable | PipelineStage | NodeJS.WritableStream)[] = [
    input,
    raw,
    ...(decompressor ? [decompressor] : []),
    tar,
    extract as unknown as NodeJS.WritableStream,
  ];
  await (pipeline as (...args: unknown[]) => Promise<void>)(
    ...stages,
    request.signal ? { signal: request.signal } : {},
  );

  if (request.expectedDigest !== undefined && raw.bytes !== request.compressedSize) {
    throw new BerthError(
      'digest_mismatch',
      `${label} is ${raw.bytes} bytes, its descriptor says ${request.compressedSize}.`,
    );
  }
  if (rawHash && request.expectedDigest) {
    const actual = `${request.expectedDigest.slice(0, request.expectedDigest.indexOf(':'))}:${rawHash.digest('hex')}`;
    if (actual !== request.expectedDigest)
      throw new BerthError(
        'digest_mismatch',
        `${label} does not match its digest: expected ${request.expectedDigest}, got ${actual}.`,
      );
  }
  const diffId = `${request.expectedDiffId.slice(0, request.expectedDiffId.indexOf(':'))}:${diffHash.digest('hex')}`;
  if (diffId !== request.expectedDiffId) {
    const what =
      uncompressed && request.expectedDigest === request.expectedDiffId
        ? 'its digest'
        : "the image config's diff ID for it";
    throw new BerthError(
      'digest_mismatch',
      `${label} does not match ${what}: expected ${request.expectedDiffId}, got ${diffId}.`,
    );
  }
  const table = collector.builder.finish({ diffId, uncompressedSize: tar.bytes, warnings: collector.warnings });
  return { table, compression, ...(capture ? { captured } : {}) };
}
