import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  // TESSERA_HARNESS=1 builds the test harness pages instead of the app (never shipped).
  build: process.env.TESSERA_HARNESS
    ? {
        outDir: fileURLToPath(new URL('../dist/renderer-harness', import.meta.url)),
        emptyOutDir: true,
        rollupOptions: { input: { matrix: fileURLToPath(new URL('./harness/matrix.html', import.meta.url)) } },
      }
    : {
        outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
        emptyOutDir: true,
        sourcemap: false,
        chunkSizeWarningLimit: 2000,
      },
  css: { postcss: fileURLToPath(new URL('./postcss.config.cjs', import.meta.url)) },
});
