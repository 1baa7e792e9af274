import type { Services } from '../../services';
import type { Handlers } from '../types';

export function storageHandlers(services: Services): Pick<Handlers, 'storage.usage'> {
  return {
    'storage.usage': (input, ctx) =>
      services.usage.usage(input.registryId, {
        namespace: input.namespace,
        refresh: input.refresh,
        signal: ctx.signal,
        onProgress: ctx.report,
      }),
  };
}
