// What `node scripts/build.ts electron` puts in dist/electron/, as data the build and the tests
// share. Each bundle is CommonJS; `hosts` load the core from ./core.cjs instead of bundling a
// copy; workers are entries of their own, found beside core.cjs at run time.

export interface BundleSpec {
  /** Source entry, relative to the repository root. */
  entry: string;
  /** Output file name in dist/electron/. */
  out: string;
  /** What runs it: the Electron main process, the sandboxed preload, the core, a worker thread or Node. */
  role: 'main' | 'preload' | 'core' | 'worker' | 'cli';
  /** Loads the core from ./core.cjs (a host) rather than bundling its own copy. */
  usesCoreBundle: boolean;
}

export const ELECTRON_OUT_DIR = 'dist/electron';

export const BUNDLES: readonly BundleSpec[] = [
  { entry: 'electron/core/bundle-entry.ts', out: 'core.cjs', role: 'core', usesCoreBundle: false },
  { entry: 'electron/core/hsm/pkcs11-worker.ts', out: 'pkcs11-worker.cjs', role: 'worker', usesCoreBundle: false },
  { entry: 'electron/main/main.ts', out: 'main.cjs', role: 'main', usesCoreBundle: true },
  { entry: 'electron/preload/preload.ts', out: 'preload.cjs', role: 'preload', usesCoreBundle: false },
  { entry: 'electron/cli/run.ts', out: 'tessera.cjs', role: 'cli', usesCoreBundle: true },
];

/** Files the built code reads at run time, copied beside the bundles: [source, name in dist/electron]. */
export const RUNTIME_FILES: readonly (readonly [string, string])[] = [
  ['build/icons/32x32.png', 'tray.png'],
  ['build/icons/256x256.png', 'icon.png'],
];

/** Modules loaded with require() at run time, never bundled: Electron's API and native bindings. */
export const NATIVE_MODULES = ['pkcs11js', 'keytar'] as const;
export const EXTERNAL_MODULES = ['electron', ...NATIVE_MODULES] as const;
