// Electron main: a thin shell. One instance, one window served from app://tessera/, the core
// bound over IPC, a native menu, the remembered window, tessera:// plan links and the approvals
// badge. All behaviour lives in electron/core, where Node tests reach it; the decisions made
// here (URL checks, links, bounds, menu, badge count) are pure modules with unit tests.
import { app, dialog, Menu, shell, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createCore, type Core } from '../core/index.ts';
import { outsideAsar } from '../core/hsm/worker-file.ts';
import { startApprovalBadge, type ApprovalBadge } from './approvals-tray.ts';
import { DEEP_LINK_SCHEME, deepLinkInArgs, parseDeepLink, routeFor, type DeepLink } from './deep-link.ts';
import { bindIpc, forwardEvents } from './ipc.ts';
import { aboutDetail, menuTemplate } from './menu.ts';
import { createMainWindow, hardenSession, loadWindowState, registerAppScheme, rendererPaths, saveWindowState, serveRenderer, showRoute } from './window.ts';

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | null = null;
  let window: BrowserWindow | null = null;
  let badge: ApprovalBadge | null = null;
  // A link that arrived before the window existed (macOS 'open-url' at launch, or argv).
  let pendingLink: DeepLink | null = deepLinkInArgs(process.argv);

  const openLink = (link: DeepLink | null) => {
    if (!link) return;
    if (window) showRoute(window, routeFor(link));
    else pendingLink = link;
  };
  const openRollouts = () => window && showRoute(window, '/rollouts');

  // Windows and Linux start a second instance with the link in its arguments; macOS sends open-url.
  app.on('second-instance', (_event, argv) => {
    const link = deepLinkInArgs(argv);
    if (link) openLink(link);
    else if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openLink(parseDeepLink(url));
  });
  // In development Electron runs as `electron .`: register the app path with the executable.
  if (process.defaultApp && process.argv[1]) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [join(process.cwd(), process.argv[1])]);
  else app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  void app.whenReady().then(() => {
    hardenSession();
    const appRoot = app.getAppPath();
    const paths = rendererPaths(appRoot);
    serveRenderer(paths.rendererDir);
    const dataDir = process.env.TESSERA_DATA_DIR ?? join(app.getPath('appData'), 'Tessera');
    const started = createCore({ dataDir, version: app.getVersion(), host: 'electron' });
    core = started;
    // Module paths and kubeconfig files change only after a yes in a dialog the renderer cannot draw.
    started.confirmations.setNativeConfirm(async (q) => {
      const options = { type: 'warning' as const, buttons: ['Allow', 'Cancel'], defaultId: 1, cancelId: 1, noLink: true, ...q };
      const answer = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
      return answer.response === 0;
    });
    // Standing intents (unmet rollout steps, expired publications) converge while the desk is open.
    setImmediate(() => {
      try {
        started.services.reconciler().start();
      } catch {
        // The database may not open yet (first run); the reconciler starts with the next launch.
      }
    });
    badge = startApprovalBadge(started, join(appRoot, 'dist', 'electron', 'tray.png'), openRollouts);
    bindIpc(started, (channel) => {
      if (channel.startsWith('rollout.')) badge?.refresh();
    });
    const about = () =>
      void dialog.showMessageBox({
        type: 'info',
        title: 'About Tessera',
        message: 'Tessera',
        detail: aboutDetail({
          app: app.getVersion(),
          electron: process.versions.electron ?? '',
          chrome: process.versions.chrome ?? '',
          node: process.versions.node,
          v8: process.versions.v8,
          platform: process.platform,
          arch: process.arch,
        }),
        icon: join(appRoot, 'dist', 'electron', 'icon.png'),
        buttons: ['OK'],
      });
    const docsRoot = outsideAsar(appRoot);
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(
          { about, openDoc: (file) => void shell.openPath(join(docsRoot, file)), openRollouts },
          { platform: process.platform, development: !app.isPackaged },
        ),
      ),
    );

    const stateFile = join(app.getPath('userData'), 'window-state.json');
    const link = pendingLink;
    pendingLink = null;
    const win = createMainWindow(paths.preload, loadWindowState(stateFile), link ? routeFor(link) : undefined);
    window = win;
    const unsubscribe = forwardEvents(started, win.webContents);
    // Look for rollouts a crash interrupted, so the UI can offer to resume them at once.
    win.webContents.once('did-finish-load', () => core?.services.rollouts());
    win.on('close', () => saveWindowState(stateFile, win));
    win.on('closed', () => {
      unsubscribe();
      window = null;
    });
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    badge?.stop();
    badge = null;
    if (core) {
      event.preventDefault();
      const closing = core;
      core = null;
      void closing.close().finally(() => app.quit());
    }
  });
}
