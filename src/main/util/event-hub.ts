/**
 * Events that are not the answer to one request (a registry Berth changed, a deep link): every subscriber
 * hears every event. The transports subscribe one sink per window or connection, so a change made from one
 * window reaches the others.
 */
import type { EventMap, EventName } from '../../shared/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventMap[E]) => void;

export interface EventHub {
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(onListenerError?: (error: unknown) => void): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      for (const listener of [...listeners]) {
        // One broken window must not keep the others from hearing the event.
        try {
          listener(event, payload);
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
