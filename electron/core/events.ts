// The backend's event bus: services emit typed events, transports forward them to subscribers.
import type { EventMessage, EventName, EventPayload } from '../../shared/contract/index.ts';

export type EventListener = (message: EventMessage) => void;

export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      const message = { event, payload } as EventMessage;
      for (const listener of listeners) {
        try {
          listener(message);
        } catch {
          // A broken subscriber must not stop the others or the emitter.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
