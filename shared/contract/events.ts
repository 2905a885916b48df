// Typed events: progress and state changes pushed from the backend to every subscriber.
// Declared once, like channels; the payload type is a phantom.
import type { TokenStateEvent } from './areas/hsm.ts';
import type { RewrapProgressEvent } from './areas/vault.ts';
import type { KubeContextList, ScanProgress } from './areas/kube.ts';
import type { RolloutProgressEvent, RolloutSummary } from './areas/rollout.ts';

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
  'kube.contexts.changed': event<KubeContextList>('A kubeconfig file changed; the cluster registry follows'),
  'scan.progress': event<ScanProgress>('One cluster of a running scan finished: its cells'),
  'vault.rewrap.progress': event<RewrapProgressEvent>('One version was rewrapped to the active recipients'),
  'rollout.progress': event<RolloutProgressEvent>('One step of a running rollout changed state (per app, secret and cluster)'),
  'rollout.state': event<RolloutSummary>('A rollout started, finished, was cancelled or was found interrupted'),
  'rollout.interrupted': event<{ rollouts: RolloutSummary[] }>('At start-up: rollouts a crash interrupted, to resume'),
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
