// Builds what the hosts need: the renderer (Vite) and the Electron bundles (esbuild, CommonJS)
// laid out as scripts/electron-layout.ts says: the core in a file of its own that main.cjs and
// tessera.cjs load, the PKCS#11 worker as an entry of its own beside it, run-time files beside.
// Usage: node scripts/build.ts renderer|electron|all
import { build as viteBuild } from 'vite';
import { build as esbuild, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES, ELECTRON_OUT_DIR, EXTERNAL_MODULES, RUNTIME_FILES } from './electron-layout.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const what = process.argv[2] ?? 'all';

async function buildRenderer() {
  await viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: 'warn' });
}

// `import.meta.url` has no meaning in CommonJS (esbuild would leave it empty): each bundle gets
// its own file's URL instead, so `new URL('./x', import.meta.url)` resolves beside the bundle.
const MODULE_URL = '__tesseraModuleUrl';
const MODULE_URL_BANNER = `var ${MODULE_URL} = require("node:url").pathToFileURL(__filename).href;`;

/** In a host bundle, the core and the contract come from ./core.cjs: one copy of each at run time. */
const useCoreBundle: Plugin = {
  name: 'use-core-bundle',
  setup(build) {
    build.onResolve({ filter: /core\/index\.ts$/ }, (args) =>
      args.importer.includes(`${root}electron/core/`) ? undefined : { path: 'core', namespace: 'core-bundle' },
    );
    build.onResolve({ filter: /shared\/contract\/index\.ts$/ }, (args) =>
      args.importer.includes(`${root}electron/core/`) || args.importer.includes(`${root}shared/`) ? undefined : { path: 'contract', namespace: 'core-bundle' },
    );
    build.onResolve({ filter: /^\.\/core\.cjs$/ }, () => ({ path: './core.cjs', external: true }));
    build.onLoad({ filter: /.*/, namespace: 'core-bundle' }, (args) => ({
      contents: args.path === 'core' ? 'module.exports = require("./core.cjs");' : 'module.exports = require("./core.cjs").contract;',
      loader: 'js',
    }));
  },
};

async function buildElectron() {
  const outDir = join(root, ELECTRON_OUT_DIR);
  // A clean folder: a file left from an earlier build must not hide a missing entry.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const bundle of BUNDLES) {
    await esbuild({
      entryPoints: [join(root, bundle.entry)],
      outfile: join(outDir, bundle.out),
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      sourcemap: true,
      external: [...EXTERNAL_MODULES],
      // The preload runs sandboxed, where only a few modules can be required: no ./core.cjs, no node:url.
      ...(bundle.role === 'preload' ? {} : { define: { 'import.meta.url': MODULE_URL }, banner: { js: MODULE_URL_BANNER } }),
      plugins: bundle.usesCoreBundle ? [useCoreBundle] : [],
      logLevel: 'warning',
    });
  }
  for (const [source, name] of RUNTIME_FILES) copyFileSync(join(root, source), join(outDir, name));
}

if (!['renderer', 'electron', 'all'].includes(what)) {
  console.error(`build: unknown target "${what}" (renderer, electron or all)`);
  process.exit(2);
}
if (what === 'renderer' || what === 'all') await buildRenderer();
if (what === 'electron' || what === 'all') await buildElectron();
