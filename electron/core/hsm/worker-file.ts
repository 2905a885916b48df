// Where a worker thread's file is: beside the module that starts it, with that module's own
// extension. From the sources (Node type stripping) that is electron/core/hsm/pkcs11-worker.ts;
// from the bundle, dist/electron/pkcs11-worker.cjs beside core.cjs (scripts/build.ts bundles it
// as an entry of its own). Inside a packaged app the worker comes from app.asar.unpacked,
// because a worker thread cannot start from a file inside the asar archive.
import { extname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file URL of worker `name` for the module at `moduleUrl` (pass `import.meta.url`). */
export function workerFileUrl(name: string, moduleUrl: string): URL {
  if (!/^[a-z0-9-]+$/u.test(name)) throw new Error(`worker name "${name}": only lower-case letters, digits and dashes`);
  const ext = extname(new URL(moduleUrl).pathname);
  if (ext !== '.ts' && ext !== '.cjs' && ext !== '.js' && ext !== '.mjs') throw new Error(`worker "${name}": cannot start from a module ending in "${ext}"`);
  const url = new URL(`./${name}${ext}`, moduleUrl);
  if (url.protocol !== 'file:') return url;
  return pathToFileURL(outsideAsar(fileURLToPath(url)));
}

/** The same path with an `app.asar` folder segment replaced by `app.asar.unpacked`. */
export function outsideAsar(path: string, separator: string = sep): string {
  const parts = path.split(separator);
  const at = parts.indexOf('app.asar');
  if (at === -1) return path;
  parts[at] = 'app.asar.unpacked';
  return parts.join(separator);
}
