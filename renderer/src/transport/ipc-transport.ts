// The Electron transport: the preload's window.tessera bridge (contextBridge, IPC).
import type { ChannelInput, ChannelName, ChannelOutput, Result } from '../../../shared/contract/index.ts';
import type { PreloadBridge, Transport } from './transport.ts';

export function createIpcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'ipc',
    invoke: async <C extends ChannelName>(channel: C, input: ChannelInput<C>) => (await bridge.invoke(channel, input ?? {})) as Result<ChannelOutput<C>>,
    subscribe: (listener) => bridge.subscribe(listener),
    onConnection(listener) {
      listener('connected');
      return () => undefined;
    },
  };
}
