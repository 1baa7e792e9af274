import type { Services } from '../../services';
import type { Handlers } from '../types';
import { appHandlers } from './app';
import { dockerHandlers } from './docker';
import { layersHandlers } from './layers';
import { promotionHandlers } from './promotion';
import { registriesHandlers } from './registries';
import { registryHandlers } from './registry';

/** Every request of the contract, mapped to its service call. The type makes a missing one a compile error. */
export function createHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services),
    ...dockerHandlers(services),
    ...layersHandlers(services),
    ...promotionHandlers(services),
    ...registriesHandlers(services),
    ...registryHandlers(services),
  };
}
