// Electron main: a thin shell. One instance, one window, the core bound over IPC. All
// behaviour lives in electron/core, where Node tests reach it.
import { app, Menu, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createCore, type Core } from '../core/index.ts';
import { bindIpc, forwardEvents } from './ipc.ts';
import { createMainWindow, hardenSession, rendererPaths } from './window.ts';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | null = null;
  let window: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  void app.whenReady().then(() => {
    hardenSession();
    const dataDir = process.env.TESSERA_DATA_DIR ?? join(app.getPath('appData'), 'Tessera');
    core = createCore({ dataDir, version: app.getVersion(), host: 'electron' });
    const paths = rendererPaths(app.getAppPath());
    bindIpc(core, `file://${paths.index}`);
    Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
    window = createMainWindow(paths.index, paths.preload);
    const unsubscribe = forwardEvents(core, window.webContents);
    // Look for rollouts a crash interrupted, so the UI can offer to resume them at once.
    window.webContents.once('did-finish-load', () => core?.services.rollouts());
    window.on('closed', () => {
      unsubscribe();
      window = null;
    });
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (core) {
      event.preventDefault();
      const closing = core;
      core = null;
      void closing.close().finally(() => app.quit());
    }
  });
}
