import type { Services } from '../../services';
import type { Handlers } from '../types';
import { appHandlers } from './app';
import { deletionHandlers } from './deletion';
import { dockerHandlers } from './docker';
import { layersHandlers } from './layers';
import { lineageHandlers } from './lineage';
import { matrixHandlers } from './matrix';
import { packagesHandlers } from './packages';
import { promotionHandlers } from './promotion';
import { registriesHandlers } from './registries';
import { registryHandlers } from './registry';
import { syncHandlers } from './sync';
import { trustHandlers } from './trust';
import { storageHandlers } from './storage';
import { vulnsHandlers } from './vulns';

/** Every request of the contract, mapped to its service call. The type makes a missing one a compile error. */
export function createHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services),
    ...deletionHandlers(services),
    ...dockerHandlers(services),
    ...layersHandlers(services),
    ...lineageHandlers(services),
    ...matrixHandlers(services),
    ...packagesHandlers(services),
    ...promotionHandlers(services),
    ...registriesHandlers(services),
    ...registryHandlers(services),
    ...syncHandlers(services),
    ...trustHandlers(services),
    ...storageHandlers(services),
    ...vulnsHandlers(services),
  };
}
