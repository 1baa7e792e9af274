/**
 * The on-disk form of a layer index: a small JSON header, then the table's columns as raw little-endian
 * arrays and the paths and link targets as NUL-separated UTF-8 (NUL cannot occur in a tar name). Loading is
 * one read, typed-array views and two string splits: no per-entry parsing, so warm diffs of 50,000-file
 * images stay in milliseconds. Versioned by the magic; anything unexpected reads as "not cached".
 */
import { endianness } from 'node:os';
import { LayerTable, type LayerColumns, type LayerTableMeta } from './layer-table';

// 2: entries' content offsets in the tar (issue 19); older files read as not cached and are rebuilt.
const MAGIC = Buffer.from('BERTHIX2', 'latin1');
const HASH_BYTES = 32;

interface CodecHeader extends LayerTableMeta {
  count: number;
  pathBytes: number;
  linkBytes: number;
}

function view(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** The encoded index as a list of buffers (written in order), without copying the columns. */
export function encodeIndex(table: LayerTable): Buffer[] {
  if (endianness() !== 'LE') throw new Error('The layer index cache supports little-endian machines only.');
  const { columns } = table;
  const paths = Buffer.from(columns.paths.join('\0'), 'utf8');
  const links = Buffer.from(columns.links.join('\0'), 'utf8');
  const header: CodecHeader = { ...table.meta, count: table.count, pathBytes: paths.length, linkBytes: links.length };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = 8 + 4 + headerBytes.length;
  const padding = Buffer.alloc((8 - (prefix % 8)) % 8, 0x20);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length + padding.length);
  return [
    MAGIC,
    length,
    headerBytes,
    padding,
    view(columns.sizes),
    view(columns.mtimes),
    view(columns.offsets),
    view(columns.modes),
    view(columns.uids),
    view(columns.gids),
    view(columns.ordinals),
    view(columns.devices),
    view(columns.hashes),
    view(columns.types),
    view(columns.flags),
    paths,
    links,
  ];
}

function splitStrings(bytes: Buffer, start: number, length: number, count: number): string[] | undefined {
  if (count === 0) return length === 0 ? [] : undefined;
  const list = bytes.toString('utf8', start, start + length).split('\0');
  return list.length === count ? list : undefined;
}

/** Decodes an index file's bytes; undefined when they are not a complete, current-format index. */
export function decodeIndex(file: Buffer): LayerTable | undefined {
  if (endianness() !== 'LE' || file.length < 12 || !file.subarray(0, 8).equals(MAGIC)) return undefined;
  // Typed-array views need aligned offsets: small reads may come from Buffer's shared pool.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const headerLength = bytes.readUInt32LE(8);
  let header: CodecHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as CodecHeader;
  } catch {
    return undefined;
  }
  const { count, pathBytes, linkBytes } = header;
  if (!Number.isSafeInteger(count) || count < 0 || typeof header.diffId !== 'string' || !Array.isArray(header.warnings))
    return undefined;
  let offset = 12 + headerLength;
  const expected = offset + count * (8 + 8 + 8 + 4 * 4 + 8 + HASH_BYTES + 1 + 1) + pathBytes + linkBytes;
  if (offset % 8 !== 0 || bytes.length !== expected) return undefined;
  const buffer = bytes.buffer;
  const base = bytes.byteOffset;
  const take = <T>(make: (start: number) => T, byteLength: number): T => {
    const value = make(base + offset);
    offset += byteLength;
    return value;
  };
  const sizes = take((start) => new Float64Array(buffer, start, count), count * 8);
  const mtimes = take((start) => new Float64Array(buffer, start, count), count * 8);
  const offsets = take((start) => new Float64Array(buffer, start, count), count * 8);
  const modes = take((start) => new Uint32Array(buffer, start, count), count * 4);
  const uids = take((start) => new Uint32Array(buffer, start, count), count * 4);
  const gids = take((start) => new Uint32Array(buffer, start, count), count * 4);
  const ordinals = take((start) => new Uint32Array(buffer, start, count), count * 4);
  const devices = take((start) => new Uint32Array(buffer, start, count * 2), count * 8);
  const hashes = take((start) => new Uint8Array(buffer, start, count * HASH_BYTES), count * HASH_BYTES);
  const types = take((start) => new Uint8Array(buffer, start, count), count);
  const flags = take((start) => new Uint8Array(buffer, start, count), count);
  const paths = splitStrings(bytes, offset, pathBytes, count);
  const links = splitStrings(bytes, offset + pathBytes, linkBytes, count);
  if (!paths || !links) return undefined;
  const columns: LayerColumns = {
    paths,
    links,
    types,
    flags,
    modes,
    uids,
    gids,
    ordinals,
    offsets,
    devices,
    sizes,
    mtimes,
    hashes,
  };
  return new LayerTable(
    { diffId: header.diffId, uncompressedSize: header.uncompressedSize, warnings: header.warnings },
    columns,
  );
}
