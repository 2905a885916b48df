import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverModules, loadByDefault } from './module-discovery.ts';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

describe('PKCS#11 module discovery', () => {
  it.skipIf(!existsSync(SOFTHSM))('finds the installed SoftHSM2 module at its well-known path', () => {
    const found = discoverModules({ configured: [] });
    expect(found).toContainEqual({ path: SOFTHSM, kind: 'softhsm2', found: true, problem: null });
  });

  it('reports a configured path that does not exist instead of throwing', () => {
    const missing = join(tmpdir(), 'no-such-module.so');
    const found = discoverModules({
      configured: [missing],
      wellKnown: { softhsm2: [], opensc: [], yubihsm: [], 'p11-kit': [], 'p11-kit-client': [], 'tpm2-pkcs11': [] },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: missing, kind: 'configured', found: false });
    expect(found[0]!.problem).toContain(missing);
  });

  it('lists a configured module first and does not repeat it as well-known', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const file = join(dir, 'libvendor.so');
    writeFileSync(file, '');
    const found = discoverModules({
      configured: [file],
      wellKnown: { softhsm2: [file, join(dir, 'absent.so')], opensc: [], yubihsm: [], 'p11-kit': [], 'p11-kit-client': [], 'tpm2-pkcs11': [] },
    });
    expect(found).toEqual([{ path: file, kind: 'configured', found: true, problem: null }]);
  });

  it('lists a library reached through a symlink once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const file = join(dir, 'libsofthsm2.so');
    writeFileSync(file, '');
    symlinkSync(file, join(dir, 'link.so'));
    const found = discoverModules({
      configured: [],
      wellKnown: { softhsm2: [file, join(dir, 'link.so')], opensc: [], yubihsm: [], 'p11-kit': [], 'p11-kit-client': [], 'tpm2-pkcs11': [] },
    });
    expect(found.map((m) => m.path)).toEqual([file]);
  });

  it('says a directory is not a module file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-modules-'));
    const [result] = discoverModules({
      configured: [dir],
      wellKnown: { softhsm2: [], opensc: [], yubihsm: [], 'p11-kit': [], 'p11-kit-client': [], 'tpm2-pkcs11': [] },
    });
    expect(result!.problem).toBe(`${dir} is not a file.`);
  });

  it.skipIf(!existsSync('/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so'))("finds p11-kit's client module and tpm2-pkcs11 where installed", () => {
    const found = discoverModules({ configured: [] });
    expect(found).toContainEqual({ path: '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so', kind: 'p11-kit-client', found: true, problem: null });
    if (existsSync('/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so')) expect(found.some((m) => m.kind === 'tpm2-pkcs11')).toBe(true);
  });

  it("loads p11-kit's client only with a server address, the TPM module only where a TPM is reachable, never the proxy", () => {
    const m = (kind: 'p11-kit' | 'p11-kit-client' | 'tpm2-pkcs11' | 'softhsm2') => ({ path: `/x/${kind}.so`, kind, found: true, problem: null });
    const none = () => false;
    expect(loadByDefault(m('p11-kit'), {}, none)).toBe(false);
    expect(loadByDefault(m('p11-kit-client'), {}, none)).toBe(false);
    expect(loadByDefault(m('p11-kit-client'), { P11_KIT_SERVER_ADDRESS: 'unix:path=/run/p11.sock' }, none)).toBe(true);
    expect(loadByDefault(m('tpm2-pkcs11'), {}, none)).toBe(false);
    expect(loadByDefault(m('tpm2-pkcs11'), {}, (p) => p === '/dev/tpmrm0')).toBe(true);
    expect(loadByDefault(m('tpm2-pkcs11'), { TPM2_PKCS11_TCTI: 'swtpm:port=2321' }, none)).toBe(true);
    expect(loadByDefault(m('softhsm2'), {}, none)).toBe(true);
  });
});
