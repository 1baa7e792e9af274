import type { Services } from '../../services';
import type { Handlers } from '../types';

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
  | 'registry.index'
  | 'search.query'
> {
  const { browser } = services;
  return {
    'registry.listRepositories': (input, ctx) => browser.listRepositories(input.registryId, ctx.signal),
    'registry.listTags': (input, ctx) => browser.listTags(input.registryId, input.repository, ctx.signal),
    'registry.inspect': (input, ctx) => browser.inspect(input.reference, input.platform, ctx.signal),
    'registry.manifest': (input, ctx) => browser.manifest(input.reference, ctx.signal),
    'registry.referrers': (input, ctx) => browser.referrers(input.reference, ctx.signal),
    'registry.tagDetails': (input, ctx) =>
      browser.tagDetails(input.registryId, input.repository, input.tags, {
        signal: ctx.signal,
        cachedOnly: input.cachedOnly,
        onProgress: ({ current, total }) => ctx.report({ status: 'Reading tag details', current, total }),
      }),
    'registry.rateLimit': (input, ctx) => browser.rateLimit(input.registryId, ctx.signal),
    'registry.index': (input, ctx) =>
      browser.index(input.registryId, {
        details: input.details,
        signal: ctx.signal,
        onProgress: ({ current, total, status }) => ctx.report({ current, total, status }),
      }),
    'search.query': (input) => browser.search(input.query, input.limit),
  };
}
