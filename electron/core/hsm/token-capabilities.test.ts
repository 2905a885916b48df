import { describe, expect, it } from 'vitest';
import type { TokenMechanism } from '../../../shared/contract/index.ts';
import { keyTypeCapabilities } from './token-capabilities.ts';

const m = (name: string, min: number, max: number, ...flags: string[]): TokenMechanism => ({ name, minKeySize: min, maxKeySize: max, flags });

describe('key type capabilities from mechanism info', () => {
  it('offers rsa-2048 and rsa-3072 but not rsa-4096 on a token whose key generation stops at 3072 bits, and says why', () => {
    const caps = keyTypeCapabilities([m('CKM_RSA_PKCS_KEY_PAIR_GEN', 1024, 3072, 'generateKeyPair'), m('CKM_RSA_PKCS_OAEP', 1024, 3072, 'decrypt')]);
    const by = Object.fromEntries(caps.map((c) => [c.type, c]));
    expect(by['rsa-2048']).toMatchObject({ canCreate: true, recipient: true, sign: false });
    expect(by['rsa-2048']!.reason).toBe('rsa-2048: can be a vault recipient; it cannot sign (no CKM_SHA256_RSA_PKCS_PSS).');
    expect(by['rsa-4096']).toMatchObject({ canCreate: false, recipient: false });
    expect(by['rsa-4096']!.reason).toBe('rsa-4096: this token cannot create it: its CKM_RSA_PKCS_KEY_PAIR_GEN makes keys of 1024 to 3072 bits.');
  });

  it('marks EC keys sign-only without CKM_ECDH1_DERIVE, and refuses AES keys that could neither wrap nor sign', () => {
    const caps = keyTypeCapabilities(
      [m('CKM_EC_KEY_PAIR_GEN', 192, 638, 'generateKeyPair'), m('CKM_ECDSA', 192, 638, 'sign'), m('CKM_AES_KEY_GEN', 16, 32, 'generate')],
      new Map([['CKM_EC_KEY_PAIR_GEN', ['CKM_EC_KEY_PAIR_GEN', 'CKM_ECDSA_KEY_PAIR_GEN']]]),
    );
    const by = Object.fromEntries(caps.map((c) => [c.type, c]));
    expect(by['ec-p256']).toMatchObject({ canCreate: true, recipient: false, sign: true });
    expect(by['ec-p256']!.reason).toContain('does not list CKM_ECDH1_DERIVE');
    expect(by['aes-256']).toMatchObject({ canCreate: false });
    expect(by['aes-256']!.reason).toContain('CKM_AES_KEY_WRAP_PAD or CKM_AES_GCM');
    expect(by['rsa-3072']!.reason).toBe('rsa-3072: this token cannot create it: it does not list CKM_RSA_PKCS_KEY_PAIR_GEN.');
  });

  it('finds a key generation mechanism by its other name (CKM_ECDSA_KEY_PAIR_GEN)', () => {
    const caps = keyTypeCapabilities(
      [m('CKM_ECDSA_KEY_PAIR_GEN', 256, 384, 'generateKeyPair'), m('CKM_ECDH1_DERIVE', 256, 384, 'derive')],
      new Map([['CKM_ECDSA_KEY_PAIR_GEN', ['CKM_EC_KEY_PAIR_GEN', 'CKM_ECDSA_KEY_PAIR_GEN']]]),
    );
    expect(caps.find((c) => c.type === 'ec-p384')).toMatchObject({ canCreate: true, recipient: true, sign: false });
  });
});
