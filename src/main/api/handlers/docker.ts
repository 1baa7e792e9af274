import { BerthError } from '../../../shared/errors';
import type { OperationKind } from '../../../shared/types/operations';
import type { TransferOptions, TransferSnapshot } from '../../docker';
import type { Services } from '../../services';
import type { CallContext, Handlers } from '../types';

/**
 * Progress of a pull or push as `operation.progress` events; a failure also ends the progress (done, with
 * the error), so a progress bar never stays open when the request fails.
 */
async function withProgress<T>(
  kind: OperationKind,
  ctx: CallContext,
  run: (options: TransferOptions) => Promise<T>,
): Promise<T> {
  let last: TransferSnapshot = { status: 'Starting', current: 0, total: 0, items: [], done: false };
  const report = (snapshot: TransferSnapshot) => {
    last = snapshot;
    ctx.emit('operation.progress', { operationId: ctx.operationId, kind, ...snapshot });
  };
  try {
    return await run({ signal: ctx.signal, onProgress: report });
  } catch (error) {
    const data =
      error instanceof BerthError ? error.toData() : { code: 'internal' as const, message: `${kind} failed` };
    ctx.emit('operation.progress', {
      operationId: ctx.operationId,
      kind,
      ...last,
      status: data.code === 'cancelled' ? 'Cancelled' : 'Failed',
      done: true,
      error: data,
    });
    throw error;
  }
}

export function dockerHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'docker.engine'
  | 'docker.setEngine'
  | 'docker.images'
  | 'docker.inspect'
  | 'docker.pull'
  | 'docker.tag'
  | 'docker.push'
  | 'docker.remove'
> {
  const { docker } = services;
  return {
    'docker.engine': (_input, ctx) => docker.engine(ctx.signal),
    'docker.setEngine': (input, ctx) =>
      docker.setEngine(input.host, { allowInsecureRemote: input.allowInsecureRemote === true }, ctx.signal),
    'docker.images': (_input, ctx) => docker.images(ctx.signal),
    'docker.inspect': (input, ctx) => docker.inspect(input.reference, ctx.signal),
    'docker.pull': (input, ctx) => withProgress('docker.pull', ctx, (options) => docker.pull(input.reference, options)),
    'docker.push': (input, ctx) => withProgress('docker.push', ctx, (options) => docker.push(input.reference, options)),
    'docker.tag': (input, ctx) => docker.tag(input.source, input.target, ctx.signal),
    'docker.remove': (input, ctx) => docker.remove(input.reference, input.force, ctx.signal),
  };
}
