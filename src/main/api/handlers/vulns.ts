import type { Services } from '../../services';
import type { Handlers } from '../types';

export function vulnsHandlers(
  services: Services,
): Pick<Handlers, 'vulns.importDatabase' | 'vulns.database' | 'vulns.scan' | 'vulns.attached'> {
  const { vulns } = services;
  return {
    'vulns.importDatabase': (input, ctx) => vulns.importDatabase(input.path, ctx.signal),
    'vulns.database': async (_input, ctx) => ({ database: (await vulns.database(ctx.signal)) ?? null }),
    'vulns.scan': (input, ctx) =>
      vulns.scan(input.reference, { ...(input.db ? { db: input.db } : {}), signal: ctx.signal }),
    'vulns.attached': (input, ctx) => vulns.attached(input.reference, ctx.signal),
  };
}
