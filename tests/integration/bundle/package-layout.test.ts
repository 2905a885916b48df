// The package a user installs: runs the real electron-builder on electron-builder.yml over the
// built files (`--linux dir`, the unpacked layout every installer is made from) and checks what it
// produced: the files globs, asarUnpack, extraMetadata.main and the fuses. Electron's binary
// cannot be downloaded here, so electron-builder gets a stand-in that carries only Electron's fuse
// wire (sentinel, version, eight fuses at Electron's defaults), which is what it rewrites.
// Then the packaged core is loaded the way Electron loads it (the archive's files at
// resources/app.asar/…, the unpacked ones at resources/app.asar.unpacked/…) and lists the SoftHSM2
// tokens: the worker starts from app.asar.unpacked and finds pkcs11js there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { BUNDLES, NATIVE_MODULES, RUNTIME_FILES } from '../../../scripts/electron-layout.ts';
import { HELP_DOCS } from '../../../electron/main/menu.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import type * as CoreBundle from '../../../electron/core/bundle-entry.ts';
import type { TokenModuleView } from '../../../shared/contract/index.ts';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, file: string): { unpacked?: boolean; size?: number; files?: unknown };
  extractFile(archive: string, file: string): Buffer;
};
const { getCurrentFuseWire } = require('@electron/fuses') as { getCurrentFuseWire(path: string): Promise<Record<number, number>> };

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// @electron/fuses' FuseV1Options order; '1' enabled, '0' disabled.
const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
const ELECTRON_DEFAULT_WIRE = '10110001';

const hsmSkip = softHsmSkipReason();

describe('the package electron-builder makes from electron-builder.yml', () => {
  let work: string;
  let resources: string;
  let archive: string;
  let listing: string[];

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.ts'), 'all'], { cwd: root, stdio: 'pipe' });
    work = mkdtempSync(join(tmpdir(), 'tessera-package-'));
    const electronDist = join(work, 'electron-dist');
    mkdirSync(electronDist);
    const stand = join(electronDist, 'electron');
    writeFileSync(
      stand,
      Buffer.concat([Buffer.from('#!/bin/sh\nexit 1\n'), Buffer.from(SENTINEL), Buffer.from([1, FUSES.length]), Buffer.from(ELECTRON_DEFAULT_WIRE)]),
    );
    chmodSync(stand, 0o755);
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    execFileSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        'dir',
        '--config',
        'electron-builder.yml',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${electronVersion}`,
        `-c.directories.output=${join(work, 'out')}`,
      ],
      { cwd: root, stdio: 'pipe', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
    );
    resources = join(work, 'out', 'linux-unpacked', 'resources');
    archive = join(resources, 'app.asar');
    listing = asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/^[\\/]/u, '').replaceAll('\\', '/'));
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts at extraMetadata.main, which is the built main.cjs', () => {
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe(config.extraMetadata.main);
    expect(pkg.main).toBe(`dist/electron/${BUNDLES.find((b) => b.role === 'main')!.out}`);
    expect(listing).toContain(pkg.main);
  });

  it('holds every bundle the app loads and every run-time file, and no source map or built CLI', () => {
    for (const bundle of BUNDLES.filter((b) => b.role !== 'cli')) expect(listing).toContain(`dist/electron/${bundle.out}`);
    for (const [, name] of RUNTIME_FILES) expect(listing).toContain(`dist/electron/${name}`);
    expect(listing).toContain('dist/renderer/index.html');
    expect(listing.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(listing).not.toContain('dist/electron/tessera.cjs');
    // JavaScript dependencies are inside the bundles; node_modules holds only the native bindings.
    const packages = new Set(listing.filter((p) => p.startsWith('node_modules/')).map((p) => p.split('/')[1]));
    expect([...packages].sort()).toEqual([...NATIVE_MODULES].sort());
  });

  it('unpacks the worker and every native binding to real files beside the archive', () => {
    const worker = `dist/electron/${BUNDLES.find((b) => b.role === 'worker')!.out}`;
    const unpacked = [
      worker,
      'node_modules/pkcs11js/build/Release/pkcs11.node',
      'node_modules/keytar/build/Release/keytar.node',
      ...HELP_DOCS.map((d) => d.file),
    ];
    for (const file of unpacked) {
      expect(asar.statFile(archive, file).unpacked, file).toBe(true);
      expect(existsSync(join(resources, 'app.asar.unpacked', file)), file).toBe(true);
    }
    expect(asar.statFile(archive, 'dist/electron/core.cjs').unpacked).toBeFalsy();
  });

  it('flips the fuses in the packaged binary as the config says', async () => {
    const wire = await getCurrentFuseWire(join(work, 'out', 'linux-unpacked', 'tessera'));
    const state = Object.fromEntries(FUSES.map((name, i) => [name, String.fromCharCode(wire[i]!)]));
    expect(state).toMatchObject({
      runAsNode: '0',
      enableNodeOptionsEnvironmentVariable: '0',
      enableNodeCliInspectArguments: '0',
      enableEmbeddedAsarIntegrityValidation: '1',
      onlyLoadAppFromAsar: '1',
      grantFileProtocolExtraPrivileges: '0',
    });
  });

  describe.skipIf(hsmSkip !== null)('loaded as Electron lays it out', () => {
    let hsm: SoftHsm;
    let loadedFrom: string;
    beforeAll(() => {
      hsm = createSoftHsm([{ label: 'package-so', pin: '531864-so', soPin: '531864-so-so' }]);
      // resources/app.asar as a folder with the archive's packed files only, beside the real
      // resources/app.asar.unpacked: what Electron's asar-aware require sees.
      loadedFrom = join(work, 'as-electron', 'resources');
      const asFolder = join(loadedFrom, 'app.asar');
      for (const file of listing) {
        const entry = asar.statFile(archive, file);
        if (entry.files || entry.unpacked) continue;
        mkdirSync(join(asFolder, file, '..'), { recursive: true });
        writeFileSync(join(asFolder, file), asar.extractFile(archive, file));
      }
      execFileSync('cp', ['-r', join(resources, 'app.asar.unpacked'), loadedFrom]);
    });
    afterAll(() => hsm?.cleanup());

    it('lists the tokens: the worker starts from app.asar.unpacked and loads pkcs11js there', async () => {
      expect(existsSync(join(loadedFrom, 'app.asar', 'dist', 'electron', 'pkcs11-worker.cjs'))).toBe(false);
      const built = require(join(loadedFrom, 'app.asar', 'dist', 'electron', 'core.cjs')) as typeof CoreBundle;
      const core = built.createCore(
        { dataDir: join(work, 'data'), version: 'package-test', host: 'electron', hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null } },
        { logSinks: [] },
      );
      try {
        core.services.settings.set({ pkcs11Modules: [hsm.module] });
        const result = await core.dispatcher.dispatch('hsm.tokens', {}, { transport: 'test' });
        expect(result.ok).toBe(true);
        const labels = (result.ok ? (result.value as TokenModuleView[]) : []).flatMap((m) => m.slots.map((s) => s.token?.label));
        expect(labels).toContain('package-so');
      } finally {
        await core.close();
      }
    });
  });
});
