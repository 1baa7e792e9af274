import type { Services } from '../../services';
import type { Handlers } from '../types';
import { appHandlers } from './app';

/** Every request of the contract, mapped to its service call. The type makes a missing one a compile error. */
export function createHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services.app),
  } as Handlers;
}
