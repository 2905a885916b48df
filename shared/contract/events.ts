// Typed events: progress and state changes pushed from the backend to every subscriber.
// Declared once, like channels; the payload type is a phantom.
import type { TokenStateEvent } from './areas/hsm.ts';

export interface EventDef<P> {
  readonly payload?: P;
  readonly summary: string;
}

function event<P>(summary: string): EventDef<P> {
  return { summary };
}

export const events = {
  'settings.changed': event<{ keys: string[] }>('Settings changed (from any window or the CLI)'),
  'token.state': event<TokenStateEvent>('A token was unlocked, locked (by the user, idle timeout or shutdown) or removed'),
  'backend.heartbeat': event<{ at: string }>('Sent periodically so the UI knows the backend is alive'),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E] extends EventDef<infer P> ? P : never;
export interface EventMessage<E extends EventName = EventName> {
  event: E;
  payload: EventPayload<E>;
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
