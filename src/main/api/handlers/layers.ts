import type { LayerOperationOptions, LayerProgress } from '../../layers';
import type { Services } from '../../services';
import type { Handlers, ProgressContext } from '../types';

type LayerRequests =
  | 'layers.list'
  | 'layers.index'
  | 'images.ls'
  | 'images.readFile'
  | 'images.diff'
  | 'images.textDiff'
  | 'images.efficiency';

/** The layer engine's options for one request: its signal and platform, with indexing progress reported per layer. */
export function operation(ctx: ProgressContext, platform: string | undefined): LayerOperationOptions {
  return {
    signal: ctx.signal,
    ...(platform ? { platform } : {}),
    onProgress: (progress: LayerProgress) =>
      ctx.report({
        status: progress.status,
        current: progress.current,
        total: progress.total,
        items: progress.layers.map((layer) => ({
          id: layer.digest,
          status: layer.status,
          current: layer.current,
          total: layer.total,
        })),
      }),
  };
}

export function layersHandlers(services: Services): Pick<Handlers, LayerRequests> {
  const { layers } = services;
  return {
    'layers.list': (input, ctx) => layers.listLayers(input.reference, operation(ctx, input.platform)),
    'layers.index': (input, ctx) =>
      layers.layerIndex(input.reference, input.layerDigest, operation(ctx, input.platform)),
    'images.ls': (input, ctx) =>
      layers.list(
        input.reference,
        {
          path: input.path,
          recursive: input.recursive,
          ...(input.upToLayer !== undefined ? { upToLayer: input.upToLayer } : {}),
        },
        operation(ctx, input.platform),
      ),
    'images.readFile': (input, ctx) =>
      layers.readFile(input.reference, input.path, input.maxBytes, operation(ctx, input.platform)),
    'images.diff': (input, ctx) => layers.diff(input.a, input.b, operation(ctx, input.platform)),
    'images.textDiff': (input, ctx) => layers.textDiff(input.a, input.b, input.path, operation(ctx, input.platform)),
    'images.efficiency': (input, ctx) =>
      layers.efficiency(input.reference, input.limit, operation(ctx, input.platform)),
  };
}
