/**
 * Paths of an image's merged tree: listing a directory (of the whole image or up to a layer), reading the
 * start of a file, streaming a whole one. Bytes are read again from the layer that holds the file and
 * checked against the hash its index recorded.
 */
import { BerthError } from '../../shared/errors';
import type { FileContent, MergedEntry } from '../../shared/types/layers';
import { isProbablyText, readLayerEntry, resolveFile, type ResolvedFile } from './file-reader';
import type { OpenedImage, OperationContext } from './image-opener';
import type { LayerOperationOptions } from './layer-service';
import { readEntryByRange } from './ranged-read';
import { normalizeEntryName } from './tar-path';

export function normalizeImagePath(path: string): string {
  const normalized = normalizeEntryName(path.trim() === '' ? '/' : path);
  if (!normalized.ok)
    throw new BerthError(
      'invalid_input',
      `${JSON.stringify(path.slice(0, 256))} is not a path inside the image: it ${normalized.reason}.`,
    );
  return normalized.path;
}

export async function listImagePath(
  { images, trees }: OperationContext,
  reference: string,
  request: { path: string; recursive: boolean; upToLayer?: number },
  operation: LayerOperationOptions,
): Promise<MergedEntry[]> {
  const path = normalizeImagePath(request.path);
  return images.with(
    reference,
    operation,
    (image) => {
      const last = image.layers.length - 1;
      if (request.upToLayer !== undefined && request.upToLayer > last)
        throw new BerthError(
          'invalid_input',
          `${reference} has ${image.layers.length} layers (0..${last}); there is no layer ${request.upToLayer}.`,
        );
      return image.layers.slice(0, (request.upToLayer ?? last) + 1).map((_, index) => index);
    },
    (opened) => {
      const tree = trees.upTo(opened, request.upToLayer ?? opened.tables.length - 1);
      const entries = tree.list(path, request.recursive);
      if (!entries)
        throw new BerthError(
          'not_found',
          `${path} does not exist in ${reference}${request.upToLayer !== undefined ? ` up to layer ${request.upToLayer}` : ''}.`,
        );
      return entries;
    },
  );
}

export async function readImageFile(
  context: OperationContext,
  reference: string,
  path: string,
  maxBytes: number,
  operation: LayerOperationOptions,
): Promise<FileContent> {
  return context.images.with(reference, operation, 'all', (opened) =>
    readFileStart(context, opened, path, maxBytes, operation),
  );
}

/** The whole file, written to `out` as it is read (verified at the end: a mismatch rejects after the bytes). */
export async function streamImageFile(
  context: OperationContext,
  reference: string,
  path: string,
  out: NodeJS.WritableStream,
  operation: LayerOperationOptions,
): Promise<{ path: string; size: number }> {
  return context.images.with(reference, operation, 'all', async (opened) => {
    const resolved = await readContent(context, opened, path, operation, async (chunk) => {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    });
    return { path: resolved.path, size: resolved.size };
  });
}

/** The first `maxBytes` of a file of an opened image, as text or base64. */
export async function readFileStart(
  context: OperationContext,
  opened: OpenedImage,
  path: string,
  maxBytes: number,
  operation: LayerOperationOptions,
): Promise<FileContent> {
  const chunks: Buffer[] = [];
  let kept = 0;
  const resolved = await readContent(context, opened, path, operation, (chunk) => {
    if (kept >= maxBytes) return;
    const part = chunk.subarray(0, maxBytes - kept);
    chunks.push(part);
    kept += part.length;
  });
  const bytes = Buffer.concat(chunks);
  const binary = !isProbablyText(bytes);
  return {
    path: normalizeImagePath(path),
    resolvedPath: resolved.path,
    layer: resolved.layer,
    size: resolved.size,
    ...(resolved.sha256 ? { sha256: resolved.sha256 } : {}),
    truncated: resolved.size > bytes.length,
    binary,
    content: binary ? bytes.toString('base64') : bytes.toString('utf8'),
  };
}

/** Follows symlinks and hard links to the file's bytes and passes them to `onData`. */
async function readContent(
  { trees, zstd, seek }: OperationContext,
  opened: OpenedImage,
  path: string,
  operation: LayerOperationOptions,
  onData: (chunk: Buffer) => void | Promise<void>,
): Promise<ResolvedFile> {
  const resolved = resolveFile(trees.full(opened), normalizeImagePath(path));
  const layer = opened.image.layers[resolved.layer]!;
  const ranged = await readEntryByRange(seek, {
    source: opened.source,
    layer,
    table: opened.tables[resolved.layer]!,
    row: resolved.row,
    label: `Layer ${resolved.layer} of ${opened.source.reference}`,
    signal: operation.signal,
  });
  if (ranged) {
    await onData(ranged);
    return resolved;
  }
  const stream = await opened.source.openLayer(layer, operation.signal);
  await readLayerEntry({
    stream,
    table: opened.tables[resolved.layer]!,
    row: resolved.row,
    label: `Layer ${resolved.layer} of ${opened.source.reference}`,
    zstd,
    ...(operation.signal ? { signal: operation.signal } : {}),
    onData,
  });
  return resolved;
}
