import type { Services } from '../../services';
import { attachedSboms } from '../../trust/packages/attached-sboms';
import type { Handlers } from '../types';
import { operation } from './layers';

export function packagesHandlers(
  services: Services,
): Pick<Handlers, 'packages.inventory' | 'packages.diff' | 'packages.sbom' | 'packages.attached'> {
  const { packages } = services;
  return {
    'packages.inventory': (input, ctx) => packages.inventory(input.reference, operation(ctx, input.platform)),
    'packages.diff': (input, ctx) => packages.diff(input.a, input.b, operation(ctx, input.platform)),
    'packages.sbom': async (input, ctx) => ({
      format: input.format,
      document: await packages.sbom(input.reference, input.format, operation(ctx, input.platform)),
    }),
    'packages.attached': (input, ctx) => attachedSboms(input.reference, services.registry, services.trust, ctx.signal),
  };
}
