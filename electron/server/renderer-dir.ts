// Where the built renderer lives, relative to the repository (or the packaged app).
import { fileURLToPath } from 'node:url';

export function rendererDir(): string {
  return process.env.TESSERA_RENDERER_DIR ?? fileURLToPath(new URL('../../dist/renderer', import.meta.url));
}
