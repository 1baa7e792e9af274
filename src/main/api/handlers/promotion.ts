import type { Services } from '../../services';
import type { Handlers } from '../types';

export function promotionHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'promotion.plan'
  | 'promotion.execute'
  | 'promotion.lanes'
  | 'promotion.setLanes'
  | 'promotion.next'
  | 'promotion.audit'
> {
  const { promotion } = services;
  return {
    'promotion.plan': (input, ctx) => promotion.plan(input, ctx.signal),
    'promotion.execute': (input, ctx) => promotion.execute(input, { signal: ctx.signal, onProgress: ctx.report }),
    'promotion.lanes': async () => promotion.lanes(),
    'promotion.setLanes': async (input) => promotion.setLanes(input.lanes),
    // Only an execution reports progress: a plan alone sends no event.
    'promotion.next': (input, ctx) => promotion.next(input, { signal: ctx.signal, onProgress: ctx.report }),
    'promotion.audit': (input) => promotion.audit(input),
  };
}
