// A key on a token as a vault recipient: which wrapping scheme it can use there, decided from the
// token's mechanism list and, for RSA, one real trial decrypt (SHA-256 OAEP where the token can,
// SHA-1 OAEP otherwise). Refusals name the key type and the missing mechanism.
import { constants, createPublicKey, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Logger } from '../log/logger.ts';
import { curveFromParams, spkiFingerprint, spkiFromRawKey } from './spki.ts';
import type { TokenEntry } from './token-registry.ts';
import { aesRecipient, type Recipient } from './wrapping.ts';
import type { RawKey } from './worker-protocol.ts';

/** Runs one trial decrypt on the token (with the key's per-operation login, if it needs one). */
export type TrialDecrypt = (args: { keyId: string; hash: 'sha256' | 'sha1'; data: Buffer }) => Promise<Buffer>;

export async function recipientFor(entry: TokenEntry, key: RawKey, decrypt: TrialDecrypt, log: Logger): Promise<Recipient> {
  const name = entry.info.label;
  const base = { tokenSerial: entry.ref, keyId: key.id, ...(key.label ? { label: key.label } : {}) };
  if (key.keyClass === 'secret') {
    const kwp = entry.mechanismViews.find((m) => m.name === 'CKM_AES_KEY_WRAP_PAD');
    if (kwp && kwp.flags.includes('wrap') && kwp.flags.includes('unwrap')) return withRef(aesRecipient(entry.info.serial, key.id, 'aes-kwp', key.label), entry);
    if (entry.mechanisms.includes('CKM_AES_GCM')) return withRef(aesRecipient(entry.info.serial, key.id, 'aes-gcm', key.label), entry);
    throw new TesseraError(
      'MECHANISM_UNSUPPORTED',
      `AES key "${key.label}" cannot be a recipient: token "${name}" lists neither CKM_AES_KEY_WRAP_PAD nor CKM_AES_GCM, so it cannot wrap data keys with it.`,
      { details: { mechanism: 'CKM_AES_KEY_WRAP_PAD' } },
    );
  }
  const spki = spkiFromRawKey(key);
  if (!spki) throw new TesseraError('NOT_FOUND', `Token "${name}" has no readable public key for CKA_ID ${key.id}.`);
  const fingerprint = spkiFingerprint(spki);
  if (key.keyType === 'ec') {
    if (!entry.mechanisms.includes('CKM_ECDH1_DERIVE'))
      throw new TesseraError(
        'MECHANISM_UNSUPPORTED',
        `EC key "${key.label}" cannot be a recipient: token "${name}" does not list CKM_ECDH1_DERIVE, which ECDH-ES needs. It can still sign.`,
        { details: { mechanism: 'CKM_ECDH1_DERIVE' } },
      );
    return { kind: 'ecdh-es', fingerprint, publicKeySpki: spki, curve: curveFromParams(key.ecParams)!, ...base };
  }
  if (!entry.mechanisms.includes('CKM_RSA_PKCS_OAEP'))
    throw new TesseraError('MECHANISM_UNSUPPORTED', `RSA key "${key.label}" cannot be a recipient: token "${name}" does not list CKM_RSA_PKCS_OAEP.`, {
      details: { mechanism: 'CKM_RSA_PKCS_OAEP' },
    });
  const oaepHash = entry.oaep.get(key.id) ?? (await probeOaep(entry, key.id, spki, decrypt, log));
  entry.oaep.set(key.id, oaepHash);
  return { kind: 'rsa-oaep', fingerprint, publicKeySpki: spki, oaepHash, ...base };
}

/** AES recipients carry the token's reference too (their fingerprint keeps using its own serial). */
function withRef(r: Recipient, entry: TokenEntry): Recipient {
  return { ...r, tokenSerial: entry.ref };
}

async function probeOaep(entry: TokenEntry, keyId: string, spki: Buffer, decrypt: TrialDecrypt, log: Logger): Promise<'sha256' | 'sha1'> {
  for (const hash of ['sha256', 'sha1'] as const) {
    const probe = randomBytes(32);
    const data = publicEncrypt(
      { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      probe,
    );
    try {
      const out = await decrypt({ keyId, hash, data });
      const same = out.length === probe.length && timingSafeEqual(out, probe);
      out.fill(0);
      if (same) {
        log.info('RSA-OAEP capability probed', { token: entry.ref, hash });
        return hash;
      }
    } catch (error) {
      if (!(error instanceof TesseraError) || error.code !== 'MECHANISM_UNSUPPORTED') throw error;
    } finally {
      probe.fill(0);
    }
  }
  throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" cannot decrypt RSA-OAEP with SHA-256 or SHA-1 (CKM_RSA_PKCS_OAEP).`, {
    details: { mechanism: 'CKM_RSA_PKCS_OAEP' },
  });
}
