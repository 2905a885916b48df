// Picks the transport once, from explicit configuration in the page's URL:
// - the Electron shell loads index.html?transport=ipc and its preload provides window.tessera;
// - the headless host prints a URL whose fragment carries #token=<token>.
// The token is moved out of the address bar into sessionStorage so it is not bookmarked or shared.
import { createHttpTransport } from './http-transport.ts';
import { createIpcTransport } from './ipc-transport.ts';
import type { PreloadBridge, Transport } from './transport.ts';

const TOKEN_KEY = 'tessera.token';

export type TransportChoice = { transport: Transport } | { problem: string };

export function chooseTransport(win: Window & { tessera?: PreloadBridge }): TransportChoice {
  const url = new URL(win.location.href);
  if (url.searchParams.get('transport') === 'ipc') {
    if (!win.tessera) return { problem: 'This window was opened for the desktop app, but its bridge is missing.' };
    return { transport: createIpcTransport(win.tessera) };
  }
  const fromHash = new URLSearchParams(url.hash.slice(1)).get('token');
  if (fromHash) {
    win.sessionStorage.setItem(TOKEN_KEY, fromHash);
    win.history.replaceState(null, '', url.pathname + url.search);
  }
  const token = fromHash ?? win.sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    return { problem: 'No access token. Open the full URL that "tessera serve" printed (it ends with #token=…).' };
  }
  return { transport: createHttpTransport(`${url.origin}/`, token) };
}
