// The headless host's transport: POST /rpc/<channel> with a bearer token, events over a
// WebSocket that sends the token as its first message and reconnects with backoff.
import type { ChannelInput, ChannelName, ChannelOutput, EventMessage, Result } from '../../../shared/contract/index.ts';
import type { ConnectionState, Transport } from './transport.ts';

export function createHttpTransport(baseUrl: string, token: string): Transport {
  const listeners = new Set<(message: EventMessage) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let retryMs = 500;

  const setState = (next: ConnectionState) => {
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const connect = () => {
    const wsUrl = new URL('events', baseUrl);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(wsUrl);
    ws.onopen = () => ws.send(JSON.stringify({ token }));
    ws.onmessage = (e) => {
      if (state !== 'connected') setState('connected');
      retryMs = 500;
      let message: EventMessage;
      try {
        message = JSON.parse(String(e.data)) as EventMessage;
      } catch {
        return;
      }
      for (const l of listeners) l(message);
    };
    ws.onclose = () => {
      setState('disconnected');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  connect();

  return {
    kind: 'http',
    async invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>) {
      try {
        const response = await fetch(new URL(`rpc/${encodeURIComponent(channel)}`, baseUrl), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
        if (response.status === 401) {
          return {
            ok: false,
            error: { code: 'UNAUTHORIZED', message: 'The backend refused this window\'s token. Open the URL that "tessera serve" printed.' },
          };
        }
        return (await response.json()) as Result<ChannelOutput<C>>;
      } catch {
        return { ok: false, error: { code: 'UNREACHABLE', message: 'The Tessera backend is not answering. Is "tessera serve" still running?' } };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}
