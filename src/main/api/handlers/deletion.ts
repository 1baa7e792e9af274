import type { Services } from '../../services';
import type { Handlers } from '../types';

export function deletionHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'lifecycle.capabilities'
  | 'lifecycle.planRemove'
  | 'lifecycle.remove'
  | 'retention.plan'
  | 'retention.apply'
  | 'retention.policies'
  | 'retention.setPolicies'
> {
  const { deletion } = services;
  return {
    'lifecycle.capabilities': async (input, ctx) => {
      const target = await services.resolveRegistry(input.registryId);
      return deletion.capabilities(target.host, input.repository, ctx.signal);
    },
    'lifecycle.planRemove': (input, ctx) =>
      deletion.planRemove(input.references, {
        digest: input.digest,
        withReferrers: input.withReferrers,
        signal: ctx.signal,
      }),
    'lifecycle.remove': (input, ctx) =>
      deletion.remove(
        { steps: input.steps, orphanedReferrers: input.orphanedReferrers },
        { signal: ctx.signal, onProgress: ctx.report },
      ),
    'retention.plan': (input, ctx) =>
      deletion.planRetention(
        {
          scope: input.scope,
          withReferrers: input.withReferrers,
          ...(input.policy ? { policy: input.policy } : {}),
        },
        { signal: ctx.signal, onProgress: ctx.report },
      ),
    'retention.apply': (input, ctx) =>
      deletion.applyRetention(input.plan, { signal: ctx.signal, onProgress: ctx.report }),
    'retention.policies': async () => deletion.policies(),
    'retention.setPolicies': async (input) => deletion.setPolicies(input.policies),
  };
}
