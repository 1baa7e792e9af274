/**
 * Reading many files of an image at once, for catalogues that look for files by name (package databases,
 * manifests, metadata): the caller picks files from the merged tree (and, for files every install step
 * rewrites, from each layer's own version), and each layer that holds some is streamed once, up to the
 * last picked entry. Contents are checked against the hashes the index recorded.
 */
import { BerthError } from '../../shared/errors';
import { readLayerEntries } from './file-reader';
import type { OpenedImage, OperationContext } from './image-opener';
import type { LayerCapture } from './layer-indexer';
import type { LayerOperationOptions } from './layer-service';
import { TYPE } from './layer-table';
import { layerOfRef, rowOfRef } from './merged-tree';
import type { SourceImage } from './sources/image-source';

/** A regular file of one layer. */
export interface ScanFile {
  path: string;
  /** Index (0 = base) of the layer holding this version. */
  layer: number;
  size: number;
  /** Permission bits (`0o755`). */
  mode: number;
  sha256?: string;
}

export interface ScanView {
  image: SourceImage;
  /** Every regular file of the merged tree (symlinks and hard links are not followed). */
  files(): Iterable<ScanFile>;
  /** Each layer's own version of `path` (regular files only), base first. */
  versions(path: string): ScanFile[];
}

export interface ScannedFile extends ScanFile {
  bytes: Buffer;
}

/** What `select` picked, with the bytes; `read` files in the order picked. */
export interface ScanResult {
  image: SourceImage;
  read: ScannedFile[];
}

/** Each file read is at most this big: package databases are megabytes, not gigabytes. */
export const MAX_SCAN_FILE_BYTES = 256 * 1024 * 1024;

export interface ScanFiles {
  /**
   * The files `select` may pick, told by path, size and mode alone: layers indexed by this scan keep their
   * bytes as they stream by, so reading them costs no second pass over the layer.
   */
  wants?: LayerCapture['wants'];
  /**
   * Turns each file's bytes into what is kept of them as soon as the file is read (a binary into the few
   * bytes of metadata it carries), so large files are never all held at once.
   */
  reduce?: NonNullable<LayerCapture['reduce']>;
}

/** Bytes kept while indexing for one scan, per layer. */
const CAPTURE_BYTES = 128 * 1024 * 1024;

export async function scanImage(
  context: OperationContext,
  reference: string,
  select: (view: ScanView) => ScanFile[] | Promise<ScanFile[]>,
  operation: LayerOperationOptions,
  files: ScanFiles = {},
): Promise<ScanResult> {
  const capture: LayerCapture | undefined = files.wants
    ? { wants: files.wants, ...(files.reduce ? { reduce: files.reduce } : {}), maxBytes: CAPTURE_BYTES }
    : undefined;
  return context.images.with(reference, { ...operation, ...(capture ? { capture } : {}) }, 'all', async (opened) => {
    const picked = await select(viewOf(context, opened));
    const tooLarge = picked.find((file) => file.size > MAX_SCAN_FILE_BYTES);
    if (tooLarge)
      throw new BerthError(
        'too_large',
        `${tooLarge.path} (layer ${tooLarge.layer}) is over ${MAX_SCAN_FILE_BYTES / 1024 / 1024} MiB; it is not read.`,
      );
    const bytes = await readPicked(context, opened, picked, operation, files.reduce);
    return { image: opened.image, read: picked.map((file, index) => ({ ...file, bytes: bytes[index]! })) };
  });
}

function viewOf(context: OperationContext, opened: OpenedImage): ScanView {
  const fileOf = (layer: number, row: number): ScanFile => {
    const table = opened.tables[layer]!;
    const sha256 = table.hashHex(row);
    return {
      path: table.path(row),
      layer,
      size: table.size(row),
      mode: table.mode(row),
      ...(sha256 !== undefined ? { sha256 } : {}),
    };
  };
  return {
    image: opened.image,
    *files() {
      for (const [, ref] of context.trees.full(opened).entries()) {
        const layer = layerOfRef(ref);
        const row = rowOfRef(ref);
        if (opened.tables[layer]?.typeCode(row) === TYPE.file) yield fileOf(layer, row);
      }
    },
    versions(path) {
      const found: ScanFile[] = [];
      opened.tables.forEach((table, layer) => {
        const row = table.rowOf(path);
        if (row >= 0 && table.typeCode(row) === TYPE.file) found.push(fileOf(layer, row));
      });
      return found;
    },
  };
}

/** The bytes of each picked file, by position; one pass over each layer that holds any. */
async function readPicked(
  context: OperationContext,
  opened: OpenedImage,
  picked: ScanFile[],
  operation: LayerOperationOptions,
  reduce: ScanFiles['reduce'],
): Promise<Buffer[]> {
  const chunks = picked.map((): Buffer[] => []);
  const kept: Buffer[] = [];
  const byLayer = new Map<number, Map<number, number[]>>();
  picked.forEach((file, index) => {
    // Kept while this scan indexed the layer: already reduced.
    const captured = context.tables.captured(opened.image.layers[file.layer]!.diffId)?.get(file.path);
    if (captured) {
      kept[index] = captured;
      return;
    }
    const row = opened.tables[file.layer]?.rowOf(file.path) ?? -1;
    if (row < 0) throw new BerthError('not_found', `${file.path} is not in layer ${file.layer}.`);
    const rows = byLayer.get(file.layer) ?? new Map<number, number[]>();
    rows.set(row, [...(rows.get(row) ?? []), index]);
    byLayer.set(file.layer, rows);
  });
  // Layers one after another: each read is short (it stops at the last picked entry) and the source's
  // connections are shared with the indexing of other requests.
  for (const [layer, rows] of byLayer) {
    const stream = await opened.source.openLayer(opened.image.layers[layer]!, operation.signal);
    await readLayerEntries({
      stream,
      table: opened.tables[layer]!,
      rows: [...rows.keys()],
      label: `Layer ${layer} of ${opened.source.reference}`,
      zstd: context.zstd,
      ...(operation.signal ? { signal: operation.signal } : {}),
      onData: (row, chunk) => {
        for (const index of rows.get(row)!) chunks[index]!.push(chunk);
      },
      onEnd: (row) => {
        for (const index of rows.get(row)!) {
          const whole = Buffer.concat(chunks[index]!);
          kept[index] = reduce ? reduce(picked[index]!, whole) : whole;
          chunks[index] = [];
        }
      },
    });
  }
  return kept;
}
