import { parseScope } from '../../../shared/lineage-scope';
import type { Services } from '../../services';
import type { Handlers } from '../types';

export function lineageHandlers(
  services: Services,
): Pick<Handlers, 'lineage.refresh' | 'lineage.base' | 'lineage.dependents' | 'lineage.stale'> {
  const { lineage } = services;
  return {
    'lineage.refresh': (input, ctx) =>
      lineage.refresh(input.scopes.map(parseScope), { signal: ctx.signal, onProgress: ctx.report }),
    'lineage.base': (input, ctx) =>
      lineage.base(input.reference, input.scopes.map(parseScope), {
        signal: ctx.signal,
        onProgress: ctx.report,
        refresh: input.refresh,
        ...(input.platform ? { platform: input.platform } : {}),
      }),
    'lineage.dependents': (input, ctx) =>
      lineage.dependents(input.reference, input.scopes.map(parseScope), {
        signal: ctx.signal,
        onProgress: ctx.report,
        refresh: input.refresh,
      }),
    'lineage.stale': (input, ctx) =>
      lineage.stale(input.scopes.map(parseScope), {
        signal: ctx.signal,
        onProgress: ctx.report,
        refresh: input.refresh,
      }),
  };
}
