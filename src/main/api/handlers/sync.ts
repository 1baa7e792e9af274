import type { Services } from '../../services';
import type { Handlers } from '../types';

export function syncHandlers(
  services: Services,
): Pick<Handlers, 'sync.rules' | 'sync.setRules' | 'sync.plan' | 'sync.run'> {
  const { sync } = services;
  return {
    'sync.rules': async () => sync.rules(),
    'sync.setRules': async (input) => sync.setRules(input.rules),
    'sync.plan': (input, ctx) => sync.plan(input, ctx.signal),
    'sync.run': (input, ctx) => sync.run(input, { signal: ctx.signal, onProgress: ctx.report }),
  };
}
