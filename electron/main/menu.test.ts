import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { MenuItemConstructorOptions } from 'electron';
import { aboutDetail, HELP_DOCS, menuTemplate } from './menu.ts';

const calls: string[] = [];
const actions = { about: () => calls.push('about'), openDoc: (f: string) => calls.push(`doc:${f}`), openRollouts: () => calls.push('rollouts') };
const items = (menu: MenuItemConstructorOptions[]) => menu.flatMap((m) => [m, ...((m.submenu as MenuItemConstructorOptions[] | undefined) ?? [])]);

describe('the native menu', () => {
  it('has the usual roles: edit, view (zoom, full screen), window, help', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const menu = menuTemplate(actions, { platform, development: false });
      const roles = items(menu).map((i) => i.role);
      expect(roles).toEqual(expect.arrayContaining(['editMenu', 'windowMenu', 'help', 'quit', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen']));
    }
  });

  it('offers developer tools and reload only in development', () => {
    const roles = (development: boolean) => items(menuTemplate(actions, { platform: 'linux', development })).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });

  it('puts About in the app menu on macOS and in Help elsewhere, and the docs in Help', () => {
    const mac = menuTemplate(actions, { platform: 'darwin', development: false });
    const win = menuTemplate(actions, { platform: 'win32', development: false });
    const labels = (m: MenuItemConstructorOptions | undefined) => ((m?.submenu as MenuItemConstructorOptions[]) ?? []).map((i) => i.label);
    expect(mac[0]!.label).toBe('Tessera');
    expect(labels(mac[0])).toContain('About Tessera');
    expect(labels(win.find((m) => m.role === 'help'))).toContain('About Tessera');
    expect(labels(mac.find((m) => m.role === 'help'))).toEqual(HELP_DOCS.map((d) => d.label));
    calls.length = 0;
    for (const item of items(win).filter((i) => i.click)) (item.click as () => void)();
    expect(calls).toEqual(expect.arrayContaining(['about', 'rollouts', ...HELP_DOCS.map((d) => `doc:${d.file}`)]));
  });

  it('links documents that exist (electron-builder ships them unpacked)', () => {
    for (const doc of HELP_DOCS) expect(existsSync(new URL(`../../${doc.file}`, import.meta.url)), doc.file).toBe(true);
  });

  it('says every version in the About box', () => {
    const text = aboutDetail({ app: '0.1.0', electron: '45.5.0', chrome: '142.0', node: '24.11.0', v8: '14.2', platform: 'linux', arch: 'x64' });
    for (const part of ['Version 0.1.0', 'Electron 45.5.0', 'Chromium 142.0', 'Node.js 24.11.0', 'V8 14.2', 'linux x64']) expect(text).toContain(part);
  });
});
