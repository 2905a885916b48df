// Subscribes to one backend event for the life of a component.
import { useEffect, useRef } from 'react';
import type { EventName, EventPayload } from '../../../shared/contract/index.ts';
import { useTransport } from './transport-context.ts';

export function useEvent<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): void {
  const transport = useTransport();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      transport.subscribe((message) => {
        if (message.event === event) latest.current(message.payload as EventPayload<E>);
      }),
    [transport, event],
  );
}
