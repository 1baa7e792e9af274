import type { Services } from '../../services';
import type { Handlers } from '../types';

export function trustHandlers(
  services: Services,
): Pick<
  Handlers,
  | 'trust.verify'
  | 'trust.attestations'
  | 'trust.referrers'
  | 'trust.tagStates'
  | 'trust.policies'
  | 'trust.savePolicy'
  | 'trust.removePolicy'
> {
  const { trust, trustPolicies } = services;
  return {
    'trust.verify': (input, ctx) =>
      trust.verify(input.reference, { signal: ctx.signal, ...(input.override ? { override: input.override } : {}) }),
    'trust.attestations': (input, ctx) => trust.attestations(input.reference, { signal: ctx.signal }),
    'trust.referrers': (input, ctx) => trust.referrersOverview(input.reference, ctx.signal),
    'trust.tagStates': (input, ctx) =>
      trust.tagStates(services.resolveRegistry(input.registryId).host, input.repository, input.digests, ctx.signal),
    'trust.policies': async () => trustPolicies.list(),
    'trust.savePolicy': async (input) => trustPolicies.save(input.policy),
    'trust.removePolicy': async (input) => trustPolicies.remove(input.id),
  };
}
