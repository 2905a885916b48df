import { describe, expect, it } from 'vitest';
import { outsideAsar, workerFileUrl } from './worker-file.ts';

describe('workerFileUrl', () => {
  it('finds the TypeScript worker beside the sources', () => {
    expect(workerFileUrl('pkcs11-worker', 'file:///repo/electron/core/hsm/module-worker.ts').href).toBe('file:///repo/electron/core/hsm/pkcs11-worker.ts');
  });

  it('finds the bundled worker beside the bundled core', () => {
    expect(workerFileUrl('pkcs11-worker', 'file:///repo/dist/electron/core.cjs').href).toBe('file:///repo/dist/electron/pkcs11-worker.cjs');
  });

  it('starts a packaged worker from app.asar.unpacked, since a worker thread cannot start inside the archive', () => {
    expect(workerFileUrl('pkcs11-worker', 'file:///opt/Tessera/resources/app.asar/dist/electron/core.cjs').href).toBe(
      'file:///opt/Tessera/resources/app.asar.unpacked/dist/electron/pkcs11-worker.cjs',
    );
  });

  it('refuses a module URL without a script extension and a worker name with a path in it', () => {
    expect(() => workerFileUrl('pkcs11-worker', 'file:///repo/dist/electron/core')).toThrow(/cannot start from a module ending in ""/u);
    expect(() => workerFileUrl('../evil', 'file:///repo/dist/electron/core.cjs')).toThrow(/only lower-case letters/u);
  });
});

describe('outsideAsar', () => {
  it('replaces only a whole app.asar folder segment, on Windows paths too', () => {
    expect(outsideAsar('C:\\Program Files\\Tessera\\resources\\app.asar\\dist\\electron\\x.cjs', '\\')).toBe(
      'C:\\Program Files\\Tessera\\resources\\app.asar.unpacked\\dist\\electron\\x.cjs',
    );
    expect(outsideAsar('/home/me/my-app.asar/x.cjs', '/')).toBe('/home/me/my-app.asar/x.cjs');
    expect(outsideAsar('/repo/dist/electron/x.cjs', '/')).toBe('/repo/dist/electron/x.cjs');
  });
});
