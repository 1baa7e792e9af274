import type { Services } from '../../services';
import type { Handlers } from '../types';

export function matrixHandlers(services: Services): Pick<Handlers, 'matrix.build'> {
  const { matrix, events } = services;
  return {
    'matrix.build': (input, ctx) =>
      matrix.build(input, {
        signal: ctx.signal,
        onProgress: ctx.report,
        // Every window hears the rows; the one that asked knows its operation id.
        onRows: (rows) => events.emit('matrix.rows', { operationId: ctx.operationId, ...rows }),
      }),
  };
}
