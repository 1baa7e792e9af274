/**
 * A hand-written BerthApi for renderer rendering-state tests: each request answers from a script, events
 * are emitted by the test. Requests without a script fail the way main fails an unknown request, so a view
 * calling something unexpected shows up as an error state, never as silence.
 */
import type {
  BerthApi,
  EventMap,
  EventName,
  RequestInput,
  RequestName,
  RequestResult,
} from '../../../src/shared/contract';
import { BerthError } from '../../../src/shared/errors';
import type { RegistryView } from '../../../src/shared/types/settings';

export type Script = { [K in RequestName]?: (input: RequestInput<K>) => RequestResult<K> | Promise<RequestResult<K>> };

export interface ScriptedApi extends BerthApi {
  calls: { name: RequestName; input: unknown }[];
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

export function scriptedApi(script: Script): ScriptedApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const calls: ScriptedApi['calls'] = [];
  return {
    calls,
    async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
      calls.push({ name, input });
      const handler = script[name] as
        ((input: RequestInput<K>) => RequestResult<K> | Promise<RequestResult<K>>) | undefined;
      if (!handler) throw new BerthError('unsupported', `The test scripted no answer for ${name}.`);
      return handler(input);
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) (listener as (p: typeof payload) => void)(payload);
    },
  };
}

/** A promise the test resolves or rejects when it chooses (an operation "in flight"). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** jsdom has no layout: give scroll containers a size so virtualized lists render their rows. */
export function giveElementsASize(height = 900, width = 1200): () => void {
  const proto = HTMLElement.prototype;
  const saved = {
    height: Object.getOwnPropertyDescriptor(proto, 'clientHeight'),
    width: Object.getOwnPropertyDescriptor(proto, 'clientWidth'),
  };
  Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(proto, 'clientWidth', { configurable: true, get: () => width });
  return () => {
    if (saved.height) Object.defineProperty(proto, 'clientHeight', saved.height);
    if (saved.width) Object.defineProperty(proto, 'clientWidth', saved.width);
  };
}

/** A registry as `registries.list` gives it: plain HTTP on 127.0.0.1:5000, anonymous, id r1. */
export function scriptedRegistry(overrides: Partial<RegistryView> = {}): RegistryView {
  return {
    id: 'r1',
    name: 'local',
    host: '127.0.0.1:5000',
    kind: 'distribution',
    insecure: true,
    environments: [],
    repositories: [],
    credential: { source: 'none' },
    ...overrides,
  };
}
