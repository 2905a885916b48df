// The one BrowserWindow and its security settings (Electron's security checklist).
import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/domain/csp.ts';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  webviewTag: false,
  allowRunningInsecureContent: false,
  spellcheck: false,
} as const;

export function hardenSession() {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function createMainWindow(rendererIndex: string, preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Tessera',
    webPreferences: { ...WEB_PREFERENCES, preload: preloadPath },
  });
  const appUrl = `file://${rendererIndex}`;
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside Tessera.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(appUrl)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex, { query: { transport: 'ipc' } });
  return win;
}

export function rendererPaths(appRoot: string) {
  return {
    index: join(appRoot, 'dist', 'renderer', 'index.html'),
    preload: join(appRoot, 'dist', 'electron', 'preload.cjs'),
  };
}
