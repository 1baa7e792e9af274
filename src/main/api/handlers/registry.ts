import { BerthError } from '../../../shared/errors';
import type { Services } from '../../services';
import type { Handlers } from '../types';

/** Shortest time between two tag-details progress events: 2,000 tags should not mean 2,000 messages. */
const PROGRESS_INTERVAL_MS = 100;

export function registryHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'registry.listRepositories'
  | 'registry.listTags'
  | 'registry.inspect'
  | 'registry.manifest'
  | 'registry.referrers'
  | 'registry.tagDetails'
  | 'registry.rateLimit'
  | 'search.query'
> {
  const { browser } = services;
  return {
    'registry.listRepositories': (input, ctx) => browser.listRepositories(input.registryId, ctx.signal),
    'registry.listTags': (input, ctx) => browser.listTags(input.registryId, input.repository, ctx.signal),
    'registry.inspect': (input, ctx) => browser.inspect(input.reference, input.platform, ctx.signal),
    'registry.manifest': (input, ctx) => browser.manifest(input.reference, ctx.signal),
    'registry.referrers': (input, ctx) => browser.referrers(input.reference, ctx.signal),
    'registry.tagDetails': async (input, ctx) => {
      const kind = 'registry.tagDetails' as const;
      const total = input.tags.length;
      let lastEmit = 0;
      let current = 0;
      ctx.emit('operation.progress', {
        operationId: ctx.operationId,
        kind,
        status: 'Reading tag details',
        current: 0,
        total,
        done: false,
      });
      try {
        const details = await browser.tagDetails(input.registryId, input.repository, input.tags, {
          signal: ctx.signal,
          cachedOnly: input.cachedOnly,
          onProgress: (progress) => {
            current = progress.current;
            const now = Date.now();
            if (now - lastEmit < PROGRESS_INTERVAL_MS) return;
            lastEmit = now;
            ctx.emit('operation.progress', {
              operationId: ctx.operationId,
              kind,
              status: 'Reading tag details',
              current,
              total,
              done: false,
            });
          },
        });
        ctx.emit('operation.progress', {
          operationId: ctx.operationId,
          kind,
          status: 'Done',
          current: total,
          total,
          done: true,
        });
        return details;
      } catch (error) {
        const data =
          error instanceof BerthError
            ? error.toData()
            : { code: 'internal' as const, message: 'Reading tag details failed' };
        ctx.emit('operation.progress', {
          operationId: ctx.operationId,
          kind,
          status: data.code === 'cancelled' ? 'Cancelled' : 'Failed',
          current,
          total,
          done: true,
          error: data,
        });
        throw error;
      }
    },
    'registry.rateLimit': (input, ctx) => browser.rateLimit(input.registryId, ctx.signal),
    'search.query': (input) => browser.search(input.query, input.limit),
  };
}
