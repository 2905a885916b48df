// The one BrowserWindow, its security settings (Electron's security checklist) and the app://
// protocol that serves the renderer with the CSP as a response header.
import { BrowserWindow, protocol, screen, session, shell } from 'electron';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/domain/csp.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileFor, appPageUrl, appResponseHeaders, isAppPage, isExternalLink } from './app-url.ts';
import { DEFAULT_SIZE, MIN_SIZE, restoreWindowState, type WindowState } from './window-bounds.ts';

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

/** Must run before the app is ready. */
export function registerAppScheme() {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** Serves app://tessera/… from the built renderer; anything else under the scheme is a 404. */
export function serveRenderer(rendererDir: string) {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, rendererDir);
    if (!file || request.method !== 'GET') return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    try {
      return new Response(await readFile(file), { status: 200, headers: appResponseHeaders(file) });
    } catch {
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
  });
}

export function hardenSession() {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // app:// responses carry the CSP themselves; this covers anything fetched over http(s).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function createMainWindow(preloadPath: string, saved: WindowState | null, route?: string): BrowserWindow {
  const win = new BrowserWindow({
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Tessera',
    webPreferences: { ...WEB_PREFERENCES, preload: preloadPath },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside Tessera.
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppPage(url)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAppPage(url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => {
    if (saved?.maximized) win.maximize();
    win.show();
  });
  void win.loadURL(appPageUrl(route));
  return win;
}

/** Shows the plan (or any renderer route) in the open page: a same-document hash change, no reload. */
export function showRoute(win: BrowserWindow, route: string) {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  void win.webContents.loadURL(appPageUrl(route));
}

export function rendererPaths(appRoot: string) {
  return {
    rendererDir: join(appRoot, 'dist', 'renderer'),
    preload: join(appRoot, 'dist', 'electron', 'preload.cjs'),
  };
}

/** The remembered window state, if it still fits the displays. */
export function loadWindowState(file: string): WindowState | null {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  return restoreWindowState(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
}

export function saveWindowState(file: string, win: BrowserWindow) {
  const bounds = win.isMaximized() || win.isFullScreen() ? win.getNormalBounds() : win.getBounds();
  const state: WindowState = { ...bounds, maximized: win.isMaximized() };
  try {
    writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch {
    // Remembering the window is a courtesy; a read-only profile must not stop the app.
  }
}
