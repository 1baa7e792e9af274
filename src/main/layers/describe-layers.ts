/** What each layer of an image is and changes (`listLayers`), and one layer's whole index (`layerIndex`). */
import { BerthError } from '../../shared/errors';
import type { LayerChange, LayerIndex } from '../../shared/types/layers';
import { compressionOfMediaType } from './decompress';
import { layerCreatedBy } from './image-diff';
import type { ImageOpener } from './image-opener';
import { layerStats } from './layer-analysis';
import type { LayerOperationOptions } from './layer-service';
import type { SourceImage } from './sources/image-source';

export async function describeLayers(
  images: ImageOpener,
  reference: string,
  operation: LayerOperationOptions,
): Promise<LayerChange[]> {
  return images.with(reference, operation, 'all', ({ image, tables }) => {
    const stats = layerStats(tables);
    const createdBy = layerCreatedBy(image);
    const steps = image.config.history.filter((step) => step.layerIndex !== undefined);
    // Creation times only when every layer has its own history step: otherwise they cannot be paired.
    const aligned = steps.length === image.layers.length;
    return image.layers.map((layer, index): LayerChange => ({
      layer: index,
      digest: layer.digest,
      diffId: layer.diffId,
      mediaType: layer.mediaType,
      compressedSize: layer.size,
      ...(createdBy[index] !== undefined ? { createdBy: createdBy[index] } : {}),
      ...(aligned && steps[index]?.created !== undefined ? { created: steps[index]!.created } : {}),
      ...stats[index]!,
      sizeBytes: tables[index]!.fileBytes(),
      entryCount: tables[index]!.count,
    }));
  });
}

/** `wanted` is the layer's digest (as the source stores it) or its diffID; only that layer is indexed. */
export async function describeLayer(
  images: ImageOpener,
  reference: string,
  wanted: string,
  operation: LayerOperationOptions,
): Promise<LayerIndex> {
  const positionOf = (image: SourceImage): number => {
    const position = image.layers.findIndex((layer) => layer.digest === wanted || layer.diffId === wanted);
    if (position < 0) throw new BerthError('not_found', `${reference} has no layer ${wanted}.`);
    return position;
  };
  return images.with(
    reference,
    operation,
    (image) => [positionOf(image)],
    ({ image, tables }) => {
      const position = positionOf(image);
      const layer = image.layers[position]!;
      const table = tables[position]!;
      return {
        digest: layer.digest,
        diffId: layer.diffId,
        mediaType: layer.mediaType,
        compression: compressionOfMediaType(layer.mediaType),
        compressedSize: layer.size,
        uncompressedSize: table.meta.uncompressedSize,
        entries: Array.from({ length: table.count }, (_, row) => table.entry(row)),
        warnings: table.meta.warnings,
      };
    },
  );
}
