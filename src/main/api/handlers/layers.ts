import { BerthError } from '../../../shared/errors';
import type { LayerOperationOptions, LayerProgress } from '../../layers';
import type { Services } from '../../services';
import type { CallContext, Handlers } from '../types';

type LayerRequests =
  | 'layers.list'
  | 'layers.index'
  | 'images.ls'
  | 'images.readFile'
  | 'images.diff'
  | 'images.textDiff'
  | 'images.efficiency';

/**
 * Layer indexing reports as `operation.progress` (kind `layers.index`) while blobs stream; the last event is
 * `done` (with the error when the request fails), so a progress bar never stays open. Requests whose layers
 * are all cached send no progress at all.
 */
async function withProgress<T>(
  ctx: CallContext,
  platform: string | undefined,
  run: (options: LayerOperationOptions) => Promise<T>,
): Promise<T> {
  let last: LayerProgress | undefined;
  const emit = (progress: LayerProgress, done: boolean, error?: BerthError) => {
    ctx.emit('operation.progress', {
      operationId: ctx.operationId,
      kind: 'layers.index',
      status: progress.status,
      current: progress.current,
      total: progress.total,
      items: progress.layers.map((layer) => ({
        id: layer.digest,
        status: layer.status,
        current: layer.current,
        total: layer.total,
      })),
      done,
      ...(error ? { error: error.toData() } : {}),
    });
  };
  try {
    const result = await run({
      signal: ctx.signal,
      ...(platform ? { platform } : {}),
      onProgress: (progress) => {
        last = progress;
        emit(progress, false);
      },
    });
    if (last) emit({ ...last, status: 'Indexed', current: last.total }, true);
    return result;
  } catch (error) {
    if (last) {
      const data = error instanceof BerthError ? error : new BerthError('internal', 'Indexing failed');
      emit({ ...last, status: data.code === 'cancelled' ? 'Cancelled' : 'Failed' }, true, data);
    }
    throw error;
  }
}

export function layersHandlers(services: Services): Pick<Handlers, LayerRequests> {
  const { layers } = services;
  return {
    'layers.list': (input, ctx) =>
      withProgress(ctx, input.platform, (options) => layers.listLayers(input.reference, options)),
    'layers.index': (input, ctx) =>
      withProgress(ctx, input.platform, (options) => layers.layerIndex(input.reference, input.layerDigest, options)),
    'images.ls': (input, ctx) =>
      withProgress(ctx, input.platform, (options) =>
        layers.list(
          input.reference,
          {
            path: input.path,
            recursive: input.recursive,
            ...(input.upToLayer !== undefined ? { upToLayer: input.upToLayer } : {}),
          },
          options,
        ),
      ),
    'images.readFile': (input, ctx) =>
      withProgress(ctx, input.platform, (options) =>
        layers.readFile(input.reference, input.path, input.maxBytes, options),
      ),
    'images.diff': (input, ctx) =>
      withProgress(ctx, input.platform, (options) => layers.diff(input.a, input.b, options)),
    'images.textDiff': (input, ctx) =>
      withProgress(ctx, input.platform, (options) => layers.textDiff(input.a, input.b, input.path, options)),
    'images.efficiency': (input, ctx) =>
      withProgress(ctx, input.platform, (options) => layers.efficiency(input.reference, input.limit, options)),
  };
}
