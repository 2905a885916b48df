// How the renderer reaches the backend. One Transport is chosen at start-up from explicit
// configuration (see choose-transport.ts) and used for everything; the UI never sniffs.
import type { ChannelInput, ChannelName, ChannelOutput, EventMessage, Result } from '../../../shared/contract/index.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

/** What the Electron preload exposes as window.tessera. */
export interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (message: EventMessage) => void): () => void;
}
