// Known-answer tests of the token layer's software side and its error mapping: they need no
// token, so they run everywhere (the SoftHSM2 suite covers the token side).
import { constants, generateKeyPairSync, privateDecrypt, randomBytes, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyWrap, ecdhEsInfo, pkcs11Error, recipientFromPublicKey, wrapInSoftware, type Recipient } from './index.ts';

describe('wrapping schemes, software side (known answers)', () => {
  it('RSA-OAEP software side: SHA-256 and SHA-1 wraps decrypt with the private key (known answer)', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dek = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    for (const hash of ['sha256', 'sha1'] as const) {
      const r = recipientFromPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }) as string, { oaepHash: hash });
      const w = wrapInSoftware(r, dek);
      expect(w.scheme).toBe(`rsa-oaep-${hash}`);
      expect(privateDecrypt({ key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, w.data)).toEqual(dek);
    }
  });

  it('ECDH-ES software side matches an independent WebCrypto derivation (known answer)', async () => {
    const subtle = webcrypto.subtle;
    for (const [curve, named] of [
      ['P-256', 'prime256v1'],
      ['P-384', 'secp384r1'],
    ] as const) {
      const pair = generateKeyPairSync('ec', { namedCurve: named });
      const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
      const recipient: Recipient = recipientFromPublicKey(spki);
      const dek = randomBytes(32);
      const wrapped = wrapInSoftware(recipient, dek);
      const priv = await subtle.importKey('pkcs8', pair.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDH', namedCurve: curve }, false, [
        'deriveBits',
      ]);
      const epk = await subtle.importKey('spki', wrapped.epk!, { name: 'ECDH', namedCurve: curve }, false, []);
      const z = await subtle.deriveBits({ name: 'ECDH', public: epk }, priv, curve === 'P-256' ? 256 : 384);
      const ikm = await subtle.importKey('raw', z, 'HKDF', false, ['deriveKey']);
      const kek = await subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: ecdhEsInfo(curve, wrapped.epk!, spki) },
        ikm,
        { name: 'AES-KW', length: 256 },
        false,
        ['unwrapKey'],
      );
      const unwrapped = await subtle.unwrapKey('raw', wrapped.data, kek, 'AES-KW', { name: 'AES-GCM' }, true, ['encrypt']);
      expect(Buffer.from(await subtle.exportKey('raw', unwrapped))).toEqual(dek);
    }
  });

  it('AES key wrap matches the RFC 3394 test vector (256-bit KEK, 256-bit key)', () => {
    const kek = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const key = Buffer.from('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f', 'hex');
    expect(aesKeyWrap(kek, key).toString('hex')).toBe('28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21');
  });

  it('maps CKR codes to contract codes with actionable sentences', () => {
    const map = (ckr: string, ctx = {}) => pkcs11Error({ kind: 'pkcs11', ckr, method: 'C_Test', message: ckr }, { token: 'primary', ...ctx });
    expect(map('CKR_PIN_INCORRECT').code).toBe('PIN_INCORRECT');
    expect(map('CKR_PIN_INCORRECT', { finalTry: true }).message).toMatch(/next wrong PIN/u);
    expect(map('CKR_PIN_LOCKED').code).toBe('PIN_LOCKED');
    expect(map('CKR_USER_NOT_LOGGED_IN').code).toBe('TOKEN_LOCKED');
    expect(map('CKR_TOKEN_NOT_PRESENT').code).toBe('TOKEN_ABSENT');
    expect(map('CKR_DEVICE_REMOVED').code).toBe('TOKEN_ABSENT');
    expect(map('CKR_SESSION_HANDLE_INVALID', { removed: true }).code).toBe('TOKEN_ABSENT');
    expect(map('CKR_SESSION_CLOSED').code).toBe('TOKEN_LOCKED');
    expect(map('CKR_MECHANISM_INVALID', { mechanism: 'CKM_AES_KEY_WRAP_PAD' }).message).toContain('CKM_AES_KEY_WRAP_PAD');
    expect(map('CKR_MECHANISM_PARAM_INVALID').code).toBe('MECHANISM_UNSUPPORTED');
    expect(map('CKR_FUNCTION_NOT_SUPPORTED').code).toBe('MECHANISM_UNSUPPORTED');
    expect(map('CKR_DEVICE_ERROR').code).toBe('DEVICE_ERROR');
    expect(map('CKR_ENCRYPTED_DATA_INVALID').code).toBe('TAMPERED');
    expect(map('CKR_SOMETHING_NEW').code).toBe('DEVICE_ERROR');
  });
});
