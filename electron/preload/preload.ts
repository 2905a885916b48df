// The preload: exposes window.tessera = { invoke, subscribe } and nothing else. Channel names
// are checked against the contract here too, so a compromised page cannot reach other IPC.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isChannelName, isEventName, type EventMessage } from '../../shared/contract/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './bridge-channels.ts';

contextBridge.exposeInMainWorld('tessera', {
  invoke(channel: string, input: unknown) {
    if (typeof channel !== 'string' || !isChannelName(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `There is no channel named "${String(channel)}".` } });
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, input);
  },
  subscribe(listener: (message: EventMessage) => void) {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function');
    const handler = (_event: IpcRendererEvent, message: EventMessage) => {
      if (message && typeof message.event === 'string' && isEventName(message.event)) listener(message);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});
