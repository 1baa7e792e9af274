import { formatDiagnostics } from '../../diagnostics';
import type { Services } from '../../services';
import type { Handlers } from '../types';

export function appHandlers(services: Services): Pick<Handlers, 'app.info' | 'app.diagnostics'> {
  const { app } = services;
  const versions = () => ({
    node: process.versions.node,
    ...(process.versions.electron
      ? { electron: process.versions.electron, chrome: process.versions.chrome ?? '' }
      : {}),
  });
  return {
    'app.info': async () => ({
      name: 'Berth',
      version: app.version,
      transport: app.transport,
      platform: `${process.platform}/${process.arch}`,
      versions: versions(),
      keychain: await services.secrets.backing(),
    }),
    'app.diagnostics': async (_input, ctx) => ({
      text: formatDiagnostics({
        version: app.version,
        transport: app.transport,
        platform: `${process.platform}/${process.arch}`,
        versions: versions(),
        engine: await services.docker.engine(ctx.signal).catch((error: Error) => ({ error: error.message })),
        registryKinds: services.settings.registries().map((r) => r.kind),
        recentProblems: app.logger.recentProblems(),
      }),
    }),
  };
}
