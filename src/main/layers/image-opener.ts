/**
 * Opens an image for one operation: its source, its description and the tables of the layers the operation
 * needs, closing the source when the operation is done. A failure after a cancel is reported as the cancel.
 */
import { throwIfAborted } from '../util/async';
import type { LayerOperationOptions, LayerProgress } from './layer-service';
import type { LayerTable } from './layer-table';
import type { SeekAccess } from './ranged-read';
import type { ImageSource, SourceImage } from './sources/image-source';
import { CANCELLED, type TableStore } from './table-store';
import type { TreeCache } from './tree-cache';
import type { ZstdImplementation } from './zstd';

/** What the operations of the layer service work with. */
export interface OperationContext {
  images: ImageOpener;
  trees: TreeCache;
  zstd: ZstdImplementation;
  tables: TableStore;
  /** Ranged reads of one file of a gzip layer (`ranged-read.ts`). */
  seek: SeekAccess;
}

export interface OpenedImage {
  source: ImageSource;
  image: SourceImage;
  /** By layer position; only the positions the operation asked for are loaded. */
  tables: LayerTable[];
}

/** Every layer, or the positions a function picks once the image's layers are known. */
export type LayersWanted = 'all' | ((image: SourceImage) => number[]);

export class ImageOpener {
  constructor(
    private readonly openSource: (reference: string, platform: string | undefined) => ImageSource,
    private readonly tables: TableStore,
  ) {}

  async with<T>(
    reference: string,
    operation: LayerOperationOptions,
    wanted: LayersWanted,
    use: (opened: OpenedImage) => T | Promise<T>,
  ): Promise<T> {
    const opened = await this.open(reference, operation, wanted);
    try {
      return await use(opened);
    } catch (error) {
      throwIfAborted(operation.signal, CANCELLED);
      throw error;
    } finally {
      await opened.source.close();
    }
  }

  /** Opens two images side by side (indexing both at once), reporting their progress as one operation. */
  async withPair<T>(
    a: string,
    b: string,
    operation: LayerOperationOptions,
    use: (left: OpenedImage, right: OpenedImage) => Promise<T>,
  ): Promise<T> {
    const latest: (LayerProgress | undefined)[] = [undefined, undefined];
    const sideOptions = (side: 0 | 1): LayerOperationOptions => ({
      ...operation,
      ...(operation.onProgress
        ? {
            onProgress: (progress: LayerProgress) => {
              latest[side] = progress;
              const parts = latest.filter((part): part is LayerProgress => part !== undefined);
              operation.onProgress!({
                status: parts.map((part) => part.status).join('; '),
                current: parts.reduce((sum, part) => sum + part.current, 0),
                total: parts.reduce((sum, part) => sum + part.total, 0),
                layers: parts.flatMap((part) => part.layers),
              });
            },
          }
        : {}),
    });
    const [left, right] = await Promise.allSettled([
      this.open(a, sideOptions(0), 'all'),
      this.open(b, sideOptions(1), 'all'),
    ]);
    try {
      if (left.status === 'rejected') throw left.reason;
      if (right.status === 'rejected') throw right.reason;
      return await use(left.value, right.value);
    } catch (error) {
      throwIfAborted(operation.signal, CANCELLED);
      throw error;
    } finally {
      if (left.status === 'fulfilled') await left.value.source.close();
      if (right.status === 'fulfilled') await right.value.source.close();
    }
  }

  /** The caller closes the source. */
  private async open(reference: string, operation: LayerOperationOptions, wanted: LayersWanted): Promise<OpenedImage> {
    const source = this.openSource(reference, operation.platform);
    try {
      const image = await source.image(operation.signal);
      const positions = wanted === 'all' ? image.layers.map((_, index) => index) : wanted(image);
      const loaded = await this.tables.load(source, image, positions, operation);
      const tables = image.layers.map((_, index) => loaded.get(index));
      return { source, image, tables: tables as LayerTable[] };
    } catch (error) {
      await source.close();
      throwIfAborted(operation.signal, CANCELLED);
      throw error;
    }
  }
}
