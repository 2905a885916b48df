// Builds what the hosts need: the renderer (Vite) and the Electron main/preload bundles
// (esbuild, CommonJS, 'electron' and native modules left external).
// Usage: node scripts/build.ts renderer|electron|all
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const what = process.argv[2] ?? 'all';

async function buildRenderer() {
  await viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: 'warn' });
}

async function buildElectron() {
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node24',
    format: 'cjs' as const,
    sourcemap: true,
    external: ['electron', 'pkcs11js', 'keytar'],
    logLevel: 'warning' as const,
  };
  await esbuild({ ...common, entryPoints: [`${root}electron/main/main.ts`], outfile: `${root}dist/electron/main.cjs` });
  await esbuild({ ...common, entryPoints: [`${root}electron/preload/preload.ts`], outfile: `${root}dist/electron/preload.cjs` });
}

if (what === 'renderer' || what === 'all') await buildRenderer();
if (what === 'electron' || what === 'all') await buildElectron();
if (!['renderer', 'electron', 'all'].includes(what)) {
  console.error(`build: unknown target "${what}" (renderer, electron or all)`);
  process.exit(2);
}
