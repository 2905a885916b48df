// The built Electron main process (dist/electron/main.cjs) loaded under Node with a recording
// stand-in for the 'electron' module, because Electron's binary cannot be downloaded here. It
// checks the wiring of what ships, not Electron itself: the app:// scheme registered privileged
// before 'ready', the renderer served with the CSP as a response header, IPC answered by the
// built core only for the app's own page, the tessera:// client registered, the menu set.
// Where the binary exists, tests/e2e/electron.spec.ts opens the real window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../../shared/domain/csp.ts';
import { INVOKE_CHANNEL } from '../../../electron/preload/bridge-channels.ts';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Recorded {
  privileged: { scheme: string; privileges: Record<string, boolean> }[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>;
  protocolClients: string[];
  loadedUrls: string[];
  menu: unknown[] | null;
  readyBeforeScheme: boolean;
}

/** A stand-in for the parts of Electron's API that main.cjs calls; it records what is done with them. */
function electronStandIn(appDir: string, dataDir: string) {
  const rec: Recorded = {
    privileged: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    protocolClients: [],
    loadedUrls: [],
    menu: null,
    readyBeforeScheme: false,
  };
  let ready: () => void = () => {};
  let isReady = false;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const emitter = () => {
    const on = () => undefined;
    return { on, once: on, removeListener: on };
  };
  class WebContents {
    private listeners = emitter();
    on = this.listeners.on;
    once = this.listeners.once;
    setWindowOpenHandler() {}
    loadURL(url: string) {
      rec.loadedUrls.push(url);
      return Promise.resolve();
    }
    send() {}
    isDestroyed() {
      return false;
    }
  }
  class BrowserWindow {
    webContents = new WebContents();
    loadURL(url: string) {
      return this.webContents.loadURL(url);
    }
    on() {}
    once() {}
    show() {}
    focus() {}
    isMinimized() {
      return false;
    }
    restore() {}
    maximize() {}
  }
  class Tray {
    on() {}
    setToolTip() {}
    setTitle() {}
    setContextMenu() {}
    destroy() {}
  }
  const api = {
    app: {
      requestSingleInstanceLock: () => true,
      on: () => undefined,
      quit: () => undefined,
      whenReady: () => readyPromise,
      setAsDefaultProtocolClient: (scheme: string) => rec.protocolClients.push(scheme),
      getAppPath: () => appDir,
      getPath: () => dataDir,
      getVersion: () => '0.0.0-test',
      isPackaged: true,
      setBadgeCount: () => true,
    },
    protocol: {
      registerSchemesAsPrivileged: (list: Recorded['privileged']) => {
        rec.readyBeforeScheme = isReady;
        rec.privileged.push(...list);
      },
      handle: (scheme: string, fn: (request: Request) => Promise<Response>) => rec.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {}, webRequest: { onHeadersReceived() {} } },
    },
    ipcMain: {
      handle: (channel: string, fn: Recorded['ipcHandlers'] extends Map<string, infer F> ? F : never) => rec.ipcHandlers.set(channel, fn),
      removeHandler: () => undefined,
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu: (menu: unknown[]) => (rec.menu = menu),
    },
    BrowserWindow,
    Tray,
    nativeImage: { createFromPath: () => ({}) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: { openExternal: async () => undefined, openPath: async () => '' },
    dialog: { showMessageBox: async () => ({ response: 0 }) },
  };
  return {
    api,
    rec,
    ready() {
      isReady = true;
      ready();
    },
  };
}

describe('the built Electron main process (dist/electron/main.cjs)', () => {
  let work: string;
  let standIn: ReturnType<typeof electronStandIn>;
  const savedDataDir = process.env.TESSERA_DATA_DIR;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.ts'), 'electron'], { cwd: root, stdio: 'pipe' });
    work = mkdtempSync(join(tmpdir(), 'tessera-built-main-'));
    const appDir = join(work, 'app');
    cpSync(join(root, 'dist', 'electron'), join(appDir, 'dist', 'electron'), { recursive: true });
    mkdirSync(join(appDir, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(appDir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Tessera</title>');
    writeFileSync(join(appDir, 'dist', 'renderer', 'secret.txt'), 'not served');
    standIn = electronStandIn(appDir, join(work, 'user-data'));
    // main.cjs requires 'electron' from its own folder up: put the stand-in where it looks.
    mkdirSync(join(appDir, 'node_modules', 'electron'), { recursive: true });
    (globalThis as { __tesseraElectronStandIn?: unknown }).__tesseraElectronStandIn = standIn.api;
    writeFileSync(join(appDir, 'node_modules', 'electron', 'index.js'), 'module.exports = globalThis.__tesseraElectronStandIn;');
    process.env.TESSERA_DATA_DIR = join(work, 'data');
    require(join(appDir, 'dist', 'electron', 'main.cjs'));
    standIn.ready();
    await new Promise((r) => setTimeout(r, 200));
  }, 120_000);
  afterAll(() => {
    if (savedDataDir === undefined) delete process.env.TESSERA_DATA_DIR;
    else process.env.TESSERA_DATA_DIR = savedDataDir;
    delete (globalThis as { __tesseraElectronStandIn?: unknown }).__tesseraElectronStandIn;
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('registers app:// as a privileged standard, secure scheme before the app is ready, and tessera:// links', () => {
    expect(standIn.rec.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(standIn.rec.privileged[0]!.privileges.bypassCSP).toBeUndefined();
    expect(standIn.rec.readyBeforeScheme).toBe(false);
    expect(standIn.rec.protocolClients).toEqual(['tessera']);
    expect(standIn.rec.menu).not.toBeNull();
  });

  it('loads the window from app://tessera/index.html, not file://', () => {
    expect(standIn.rec.loadedUrls).toEqual(['app://tessera/index.html?transport=ipc']);
  });

  it('serves the renderer with the CSP as a response header, and nothing outside it or of an unknown type', async () => {
    const handle = standIn.rec.protocolHandlers.get('app')!;
    const page = await handle(new Request('app://tessera/index.html?transport=ipc'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Tessera</title>');
    for (const url of ['app://tessera/secret.txt', 'app://tessera/..%2f..%2fdist%2felectron%2fmain.cjs', 'app://other/index.html'])
      expect((await handle(new Request(url))).status, url).toBe(404);
  });

  it("answers IPC through the built core for the app's own top frame only", async () => {
    const invoke = standIn.rec.ipcHandlers.get(INVOKE_CHANNEL)!;
    const from = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });
    const info = (await invoke(from('app://tessera/index.html?transport=ipc#/matrix'), 'app.info', {})) as { ok: boolean; value: { host: string } };
    expect(info).toMatchObject({ ok: true, value: { host: 'electron', version: '0.0.0-test' } });
    for (const sender of [
      from('app://tessera/index.html.evil.html'),
      from('app://tessera.evil/index.html'),
      from(`file://${join(work, 'app', 'dist', 'renderer', 'index.html')}`),
      from('app://tessera/index.html', { url: 'app://tessera/index.html' }),
    ])
      expect(await invoke(sender, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
