// Binds the core's dispatcher to ipcMain behind one wrapper that checks the sender frame:
// only our own top-level page may call, as VS Code's validateIPC does. The page is recognised by
// its parsed URL (app://tessera/index.html), never by a string prefix.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { Core } from '../core/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../preload/bridge-channels.ts';
import { isAppPage } from './app-url.ts';

export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppPage(frame.url);
}

/** `afterCall` hears which channel a call used (e.g. to refresh the approvals badge after an approval). */
export function bindIpc(core: Core, afterCall?: (channel: string) => void): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, input: unknown) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This window may not call the Tessera backend.' } };
    }
    if (typeof channel !== 'string') return { ok: false, error: { code: 'INVALID_INPUT', message: 'channel: must be a string', field: 'channel' } };
    const result = await core.dispatcher.dispatch(channel, input, { transport: 'ipc' });
    afterCall?.(channel);
    return result;
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

export function forwardEvents(core: Core, contents: WebContents): () => void {
  return core.events.subscribe((message) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, message);
  });
}
