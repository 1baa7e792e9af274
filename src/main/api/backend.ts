import { createServices, type Services, type ServicesOptions } from '../services';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher';
import { createHandlers } from './handlers';

export interface Backend {
  services: Services;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** Services plus the contract's door: what every transport (IPC, serve, CLI) starts from. */
export async function createBackend(options: ServicesOptions & DispatcherOptions): Promise<Backend> {
  const services = await createServices(options);
  const dispatcher = createDispatcher(createHandlers(services), {
    events: services.events,
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    onInternalError: (name, error) => {
      services.app.logger.log('error', name, (error as Error)?.stack ?? String(error));
      options.onInternalError?.(name, error);
    },
  });
  return { services, dispatcher, close: () => services.close() };
}
