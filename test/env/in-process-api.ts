/**
 * The real backend (services + dispatcher, as `berth serve` builds them) behind a `BerthApi`, in the test
 * process: renderer stores and components talk to real registries without a browser. Inputs and results
 * cross a JSON round trip, as on the wire, so nothing works here that would not work over WebSocket.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../src/main/api/backend';
import type {
  BerthApi,
  EventMap,
  EventName,
  RequestInput,
  RequestName,
  RequestResult,
} from '../../src/shared/contract';
import { BerthError } from '../../src/shared/errors';

export interface InProcessApi {
  api: BerthApi;
  /** Berth's own config folder for this backend (settings, cache), removed by close(). */
  configDir: string;
  /** Every request made, in order (name and input), for assertions about what the UI asked. */
  calls: { name: RequestName; input: unknown }[];
  close(): Promise<void>;
}

export interface InProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Contents of a Docker CLI config.json for this backend (DOCKER_CONFIG points at a temp folder). */
  dockerConfig?: object;
}

export async function startInProcessApi(options: InProcessOptions = {}): Promise<InProcessApi> {
  const configDir = await mkdtemp(join(tmpdir(), 'berth-ui-'));
  const dockerConfigDir = join(configDir, 'docker');
  await mkdir(dockerConfigDir);
  if (options.dockerConfig) await writeFile(join(dockerConfigDir, 'config.json'), JSON.stringify(options.dockerConfig));
  const env = { ...process.env, DOCKER_CONFIG: dockerConfigDir, ...options.env, BERTH_CONFIG_DIR: configDir };
  const backend = await createBackend({ transport: 'serve', env });
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const calls: InProcessApi['calls'] = [];
  const wire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
  const sink = <E extends EventName>(event: E, payload: EventMap[E]) => {
    for (const listener of listeners.get(event) ?? []) (listener as (p: EventMap[E]) => void)(wire(payload));
  };
  // As a window does: events for every window (registry.changed) arrive here too.
  backend.dispatcher.subscribe(sink);
  const api: BerthApi = {
    async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
      calls.push({ name, input });
      const outcome = await backend.dispatcher.call(name, wire(input), sink);
      if (!outcome.ok) throw new BerthError(outcome.error.code, outcome.error.message, outcome.error.details);
      return wire(outcome.value) as RequestResult<K>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
  return {
    api,
    configDir,
    calls,
    async close() {
      await backend.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
