import { BerthError } from '../../../shared/errors';
import type { RunOptions } from '../../promotion';
import type { PromotionSnapshot } from '../../promotion';
import type { Services } from '../../services';
import type { CallContext, Handlers } from '../types';

/**
 * A promotion's progress as `operation.progress` events (kind `promotion`); a failure also ends the
 * progress (done, with the error), so the UI's dialog never waits on a promotion that is over.
 */
async function withProgress<T>(ctx: CallContext, run: (options: RunOptions) => Promise<T>): Promise<T> {
  let last: PromotionSnapshot = { status: 'Planning', current: 0, total: 0, items: [], done: false };
  const report = (snapshot: PromotionSnapshot) => {
    last = snapshot;
    ctx.emit('operation.progress', { operationId: ctx.operationId, kind: 'promotion', ...snapshot });
  };
  try {
    return await run({ signal: ctx.signal, onProgress: report });
  } catch (error) {
    const data =
      error instanceof BerthError
        ? error.toData()
        : { code: 'internal' as const, message: 'The promotion failed unexpectedly' };
    ctx.emit('operation.progress', {
      operationId: ctx.operationId,
      kind: 'promotion',
      ...last,
      status: data.code === 'cancelled' ? 'Cancelled' : 'Failed',
      done: true,
      error: data,
    });
    throw error;
  }
}

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
    'promotion.execute': (input, ctx) => withProgress(ctx, (options) => promotion.execute(input, options)),
    'promotion.lanes': async () => promotion.lanes(),
    'promotion.setLanes': async (input) => promotion.setLanes(input.lanes),
    'promotion.next': (input, ctx) =>
      input.execute
        ? withProgress(ctx, (options) => promotion.next(input, options))
        : promotion.next(input, { signal: ctx.signal }),
    'promotion.audit': (input) => promotion.audit(input),
  };
}
