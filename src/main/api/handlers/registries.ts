import type { Services } from '../../services';
import type { Handlers } from '../types';

type RegistryRequests =
  | 'registries.list'
  | 'registries.add'
  | 'registries.update'
  | 'registries.remove'
  | 'registries.status'
  | 'registries.dockerCandidates'
  | 'registries.importDocker'
  | 'credentials.set'
  | 'credentials.test'
  | 'credentials.remove';

/** Registry settings and credentials. Secrets go in (`credentials.set`) and never come out. */
export function registriesHandlers(services: Pick<Services, 'registries'>): Pick<Handlers, RegistryRequests> {
  const { registries } = services;
  return {
    'registries.list': () => registries.list(),
    'registries.add': (input) => registries.add(input),
    'registries.update': (input) => registries.update(input),
    'registries.remove': async ({ id }) => ({ removed: await registries.remove(id) }),
    'registries.status': ({ id }, ctx) => registries.status(id, ctx.signal),
    'registries.dockerCandidates': () => registries.dockerCandidates(),
    'registries.importDocker': ({ hosts }) => registries.importDocker(hosts),
    'credentials.set': (input, ctx) => registries.setCredential(input, ctx.signal),
    'credentials.test': ({ registryId }, ctx) => registries.status(registryId, ctx.signal),
    'credentials.remove': ({ registryId }) => registries.removeCredential(registryId),
  };
}
