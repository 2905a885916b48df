// Validates electron-builder.yml against electron-builder's own configuration schema, and reads
// the settings the package's security rests on: fuses, entitlements, what stays outside the asar.
// tests/integration/bundle/package-layout.test.ts runs electron-builder itself on this config.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLES, NATIVE_MODULES } from '../../scripts/electron-layout.ts';
import { HELP_DOCS } from '../../electron/main/menu.ts';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const { minimatch } = require('minimatch') as { minimatch: (path: string, pattern: string, options?: { dot?: boolean; matchBase?: boolean }) => boolean };

const root = new URL('../../', import.meta.url);
const config = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, any>;
const unpacked = (path: string) => (config.asarUnpack as string[]).some((pattern) => minimatch(path, pattern, { dot: true }));

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would be caught by the schema if it were wrong (the check is real)', async () => {
    await expect(validateConfiguration({ ...structuredClone(config), asarUnpackk: ['typo'] }, new DebugLogger(false))).rejects.toThrow();
  });

  it('targets AppImage, deb, dmg and nsis, and unpacks the native modules', () => {
    expect(config.appId).toBe('dev.tessera.desktop');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/pkcs11js/**', '**/node_modules/keytar/**']));
  });

  it('turns off running as Node, NODE_OPTIONS and --inspect, and turns on asar integrity and asar-only loading', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it("signs macOS builds for the hardened runtime with entitlements that allow vendors' PKCS#11 modules", () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const file = new URL(config.mac[key], root);
      expect(existsSync(file), config.mac[key]).toBe(true);
      const plist = readFileSync(file, 'utf8');
      expect(plist).toMatch(/<key>com\.apple\.security\.cs\.disable-library-validation<\/key>\s*<true\/>/u);
      expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/u);
      expect(plist).not.toContain('allow-dyld-environment-variables');
    }
  });

  it('keeps every native module and every worker outside the asar archive', () => {
    for (const name of NATIVE_MODULES) {
      expect(unpacked(`node_modules/${name}/build/Release/${name === 'pkcs11js' ? 'pkcs11' : name}.node`), name).toBe(true);
      expect(unpacked(`node_modules/${name}/package.json`), name).toBe(true);
    }
    const workers = BUNDLES.filter((b) => b.role === 'worker');
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) expect(unpacked(`dist/electron/${worker.out}`), worker.out).toBe(true);
    // Help opens the documents with the system's viewer, which cannot read the archive.
    for (const doc of HELP_DOCS) expect(unpacked(doc.file), doc.file).toBe(true);
    // The core itself stays inside (and under the integrity check).
    expect(unpacked('dist/electron/core.cjs')).toBe(false);
    expect(unpacked('dist/electron/main.cjs')).toBe(false);
  });

  it('starts at the built main.cjs and ships only dist/ and the native bindings', () => {
    expect(config.extraMetadata.main).toBe('dist/electron/main.cjs');
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', '!**/*.map', '!node_modules/**']));
    for (const name of NATIVE_MODULES) expect(config.files).toContain(`node_modules/${name}/**`);
  });

  it('has an icon for each platform in build/, and registers tessera:// links', () => {
    for (const file of [config.mac.icon, config.win.icon, `${config.linux.icon}/256x256.png`, `${config.linux.icon}/512x512.png`])
      expect(existsSync(new URL(file, root)), file).toBe(true);
    expect(config.directories.buildResources).toBe('build');
    expect(config.protocols).toEqual([expect.objectContaining({ schemes: ['tessera'] })]);
  });

  it('gives Linux the desktop entry of build/linux/tessera.desktop, which handles tessera:// links', () => {
    const text = readFileSync(new URL('build/linux/tessera.desktop', root), 'utf8');
    const entry = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(text.startsWith('[Desktop Entry]\n')).toBe(true);
    expect(entry.MimeType).toBe('x-scheme-handler/tessera;');
    expect(entry.Exec).toMatch(/ %U$/u);
    // electron-builder writes Name, Exec, Icon and Type itself; the rest comes from the config.
    for (const [key, value] of Object.entries(config.linux.desktop.entry as Record<string, string>)) expect(entry[key], key).toBe(value);
    for (const key of Object.keys(entry).filter((k) => !['Type', 'Name', 'Exec', 'Icon', 'Terminal'].includes(k)))
      expect(config.linux.desktop.entry[key], key).toBe(entry[key]);
  });
});
