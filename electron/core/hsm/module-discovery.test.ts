import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverModules } from './module-discovery.ts';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

describe('PKCS#11 module discovery', () => {
  it.skipIf(!existsSync(SOFTHSM))('finds the installed SoftHSM2 module at its well-known path', () => {
    const found = discoverModules({ configured: [] });
    expect(found).toContainEqual({ path: SOFTHSM, kind: 'softhsm2', found: true, problem: null });
  });

  it('reports a configured path that does not exist instead of throwing', () => {
    const missing = join(tmpdir(), 'no-such-module.so');
    const found = discoverModules({ configured: [missing], wellKnown: { softhsm2: [], opensc: [], yubihsm: [], 'p11-kit': [] } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: missing, kind: 'configured', found: false });
    expect(found[0]!.problem).toContain(missing);
  });

  it('lists a configured module first and does not repeat it as well-known', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const file = join(dir, 'libvendor.so');
    writeFileSync(file, '');
    const found = discoverModules({ configured: [file], wellKnown: { softhsm2: [file, join(dir, 'absent.so')], opensc: [], yubihsm: [], 'p11-kit': [] } });
    expect(found).toEqual([{ path: file, kind: 'configured', found: true, problem: null }]);
  });

  it('lists a library reached through a symlink once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const file = join(dir, 'libsofthsm2.so');
    writeFileSync(file, '');
    symlinkSync(file, join(dir, 'link.so'));
    const found = discoverModules({ configured: [], wellKnown: { softhsm2: [file, join(dir, 'link.so')], opensc: [], yubihsm: [], 'p11-kit': [] } });
    expect(found.map((m) => m.path)).toEqual([file]);
  });

  it('says a directory is not a module file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const [result] = discoverModules({ configured: [dir], wellKnown: { softhsm2: [], opensc: [], yubihsm: [], 'p11-kit': [] } });
    expect(result!.problem).toBe(`${dir} is not a file.`);
  });
});
