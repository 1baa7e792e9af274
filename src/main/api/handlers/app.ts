import type { Handlers } from '../types';
import type { AppContext } from '../../services';

export function appHandlers(app: AppContext): Pick<Handlers, 'app.info'> {
  return {
    'app.info': async () => ({
      name: 'Berth',
      version: app.version,
      transport: app.transport,
      platform: `${process.platform}/${process.arch}`,
      versions: { node: process.versions.node, ...(process.versions.electron ? { electron: process.versions.electron } : {}) },
    }),
  };
}
