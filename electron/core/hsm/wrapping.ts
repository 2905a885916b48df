// Wrapping schemes for data keys (DEKs): the interface the vault calls. RSA and EC recipients
// wrap in software from the public key alone; unwrapping, and everything AES, runs on the token.
// Formats and KDF parameters are documented in docs/tokens.md.
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  publicEncrypt,
  constants,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { MapContext } from './errors.ts';
import { CURVE_BYTES, aesFingerprint, parsePublicKey, spkiFingerprint, spkiPoint, type Curve } from './spki.ts';
import type { OpResult, SessionOp, SessionOpArgs } from './worker-protocol.ts';

/** What the schemes use of an unlocked token's session (TokenService's TokenSession is one); a port, so wrapping does not import the service. */
export interface WrappingSession {
  readonly tokenSerial: string;
  readonly label: string;
  /** Runs one worker operation against this token's session (typed by the shared operation map). */
  call<K extends SessionOp>(op: K, args: SessionOpArgs<K>, context?: MapContext): Promise<OpResult<K>>;
  mechanisms(): string[];
  keyIdFor(fingerprint: string): Promise<string>;
  publicKeyFor(keyId: string): Promise<Buffer>;
  isUnlocked(): boolean;
}

export type RecipientKind = 'rsa-oaep' | 'ecdh-es' | 'aes-kw';

/** Someone a DEK can be wrapped for: a key on a token, known by its fingerprint. */
export interface Recipient {
  kind: RecipientKind;
  /** SHA-256 of the SPKI DER (RSA, EC) or of "tessera-aes|serial|CKA_ID" (AES), lower-case hex. */
  fingerprint: string;
  /** RSA and EC: the public key, SPKI DER. */
  publicKeySpki?: Buffer;
  curve?: Curve;
  /** RSA: the OAEP hash the token can unwrap with (probed on the token; 'sha256' when registered from a PEM alone). */
  oaepHash?: 'sha256' | 'sha1';
  /** AES: which on-token scheme the token supports (from its mechanism list). */
  aesScheme?: 'aes-kwp' | 'aes-gcm';
  tokenSerial?: string;
  /** CKA_ID, lower-case hex. */
  keyId?: string;
  label?: string;
}

export type WrapScheme = 'rsa-oaep-sha256' | 'rsa-oaep-sha1' | 'ecdh-es+a256kw-p256' | 'ecdh-es+a256kw-p384' | 'aes-kwp' | 'aes-gcm';

/** One DEK wrapped for one recipient. */
export interface WrappedKey {
  scheme: WrapScheme;
  /** The recipient's fingerprint. */
  recipient: string;
  /** RSA: the OAEP ciphertext. ECDH-ES: the RFC 3394 wrap. AES-KWP: the RFC 5649 wrap. AES-GCM: ciphertext || 16-byte tag. */
  data: Buffer;
  /** ECDH-ES: the ephemeral public key, SPKI DER. */
  epk?: Buffer;
  /** AES-GCM: the 12-byte nonce. */
  nonce?: Buffer;
}

/** The JSON form the vault stores (binary fields as base64). */
export interface WrappedKeyRecord {
  scheme: WrapScheme;
  recipient: string;
  data: string;
  epk?: string;
  nonce?: string;
}

export function encodeWrappedKey(w: WrappedKey): WrappedKeyRecord {
  return {
    scheme: w.scheme,
    recipient: w.recipient,
    data: w.data.toString('base64'),
    ...(w.epk ? { epk: w.epk.toString('base64') } : {}),
    ...(w.nonce ? { nonce: w.nonce.toString('base64') } : {}),
  };
}

export function decodeWrappedKey(r: WrappedKeyRecord): WrappedKey {
  return {
    scheme: r.scheme,
    recipient: r.recipient,
    data: Buffer.from(r.data, 'base64'),
    ...(r.epk ? { epk: Buffer.from(r.epk, 'base64') } : {}),
    ...(r.nonce ? { nonce: Buffer.from(r.nonce, 'base64') } : {}),
  };
}

/** A recipient from a PEM public key alone (no token present). */
export function recipientFromPublicKey(pem: string | Buffer, options: { label?: string; oaepHash?: 'sha256' | 'sha1' } = {}): Recipient {
  const parsed = parsePublicKey(pem);
  const base = { fingerprint: spkiFingerprint(parsed.spki), publicKeySpki: parsed.spki, ...(options.label ? { label: options.label } : {}) };
  if (parsed.kind === 'rsa') return { kind: 'rsa-oaep', ...base, oaepHash: options.oaepHash ?? 'sha256' };
  return { kind: 'ecdh-es', ...base, curve: parsed.curve! };
}

export function aesRecipient(tokenSerial: string, keyId: string, aesScheme: 'aes-kwp' | 'aes-gcm', label?: string): Recipient {
  return { kind: 'aes-kw', fingerprint: aesFingerprint(tokenSerial, keyId), tokenSerial, keyId: keyId.toLowerCase(), aesScheme, ...(label ? { label } : {}) };
}

// ---- ECDH-ES key derivation (shared by both sides) ----

const HKDF_PREFIX = 'tessera-ecdh-es|';
const ZERO_SALT = Buffer.alloc(0);

/** info = "tessera-ecdh-es|" || curve || "|" || epk SPKI DER || recipient SPKI DER; salt empty; 32 bytes. */
export function ecdhEsInfo(curve: Curve, epkSpki: Buffer, recipientSpki: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${HKDF_PREFIX}${curve}|`, 'utf8'), epkSpki, recipientSpki]);
}

export function ecdhEsKek(z: Buffer, curve: Curve, epkSpki: Buffer, recipientSpki: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', z, ZERO_SALT, ecdhEsInfo(curve, epkSpki, recipientSpki), 32));
}

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/** RFC 3394 AES-256 key wrap. */
export function aesKeyWrap(kek: Buffer, key: Buffer): Buffer {
  if (key.length < 16 || key.length % 8 !== 0) throw new TesseraError('INVALID_INPUT', 'A data key must be a multiple of 8 bytes and at least 16 bytes long.');
  const cipher = createCipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

/** RFC 3394 AES-256 key unwrap; an integrity failure throws TAMPERED. */
export function aesKeyUnwrap(kek: Buffer, wrapped: Buffer, fingerprint = ''): Buffer {
  try {
    const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    throw tampered(fingerprint);
  }
}

function tampered(fingerprint: string): TesseraError {
  return new TesseraError(
    'TAMPERED',
    `The wrapped data key for recipient ${fingerprint.slice(0, 16)}… failed its integrity check: it was changed, damaged, or wrapped for another key.`,
    {
      details: { recipient: fingerprint },
    },
  );
}

function schemeCurve(scheme: WrapScheme): Curve | null {
  return scheme === 'ecdh-es+a256kw-p256' ? 'P-256' : scheme === 'ecdh-es+a256kw-p384' ? 'P-384' : null;
}

function publicKeyOf(recipient: Recipient): KeyObject {
  if (!recipient.publicKeySpki) throw new TesseraError('INVALID_INPUT', `Recipient ${recipient.fingerprint.slice(0, 16)}… has no public key.`);
  return createPublicKey({ key: recipient.publicKeySpki, format: 'der', type: 'spki' });
}

/** Wraps a DEK from the recipient's public key alone (RSA-OAEP or ECDH-ES). AES recipients need the token: use wrapOnToken. */
export function wrapInSoftware(recipient: Recipient, dek: Buffer): WrappedKey {
  if (recipient.kind === 'rsa-oaep') {
    const hash = recipient.oaepHash ?? 'sha256';
    const data = publicEncrypt({ key: publicKeyOf(recipient), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, dek);
    return { scheme: hash === 'sha1' ? 'rsa-oaep-sha1' : 'rsa-oaep-sha256', recipient: recipient.fingerprint, data };
  }
  if (recipient.kind === 'ecdh-es') {
    const curve = recipient.curve;
    if (!curve) throw new TesseraError('INVALID_INPUT', 'An ECDH-ES recipient needs its curve.');
    const recipientKey = publicKeyOf(recipient);
    const eph = generateKeyPairSync('ec', { namedCurve: curve === 'P-256' ? 'prime256v1' : 'secp384r1' });
    const epk = eph.publicKey.export({ type: 'spki', format: 'der' });
    const z = diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey });
    const kek = ecdhEsKek(z, curve, epk, recipient.publicKeySpki!);
    try {
      const data = aesKeyWrap(kek, dek);
      return { scheme: curve === 'P-256' ? 'ecdh-es+a256kw-p256' : 'ecdh-es+a256kw-p384', recipient: recipient.fingerprint, data, epk };
    } finally {
      z.fill(0);
      kek.fill(0);
    }
  }
  throw new TesseraError('INVALID_INPUT', 'An AES recipient lives only on its token: unlock the token and wrap with wrapOnToken.');
}

function requireMechanism(session: WrappingSession, name: string) {
  if (!session.mechanisms().includes(name)) {
    throw new TesseraError(
      'MECHANISM_UNSUPPORTED',
      `Token "${session.label}" does not list ${name}, which this scheme needs. Use a key type the token supports.`,
      { details: { mechanism: name } },
    );
  }
}

function aesAad(fingerprint: string): Buffer {
  return Buffer.from(`tessera-aes-gcm|${fingerprint}`, 'utf8');
}

/** Wraps a DEK on the token (AES recipients); RSA and EC recipients are wrapped in software. */
export async function wrapOnToken(session: WrappingSession, recipient: Recipient, dek: Buffer): Promise<WrappedKey> {
  if (recipient.kind !== 'aes-kw') return wrapInSoftware(recipient, dek);
  if (!recipient.keyId) throw new TesseraError('INVALID_INPUT', 'An AES recipient needs its CKA_ID.');
  if (recipient.tokenSerial && recipient.tokenSerial !== session.tokenSerial) {
    throw new TesseraError('NOT_FOUND', `Recipient ${recipient.fingerprint.slice(0, 16)}… lives on token ${recipient.tokenSerial}, not on "${session.label}".`);
  }
  const scheme = recipient.aesScheme ?? (session.mechanisms().includes('CKM_AES_KEY_WRAP_PAD') ? 'aes-kwp' : 'aes-gcm');
  if (scheme === 'aes-kwp') {
    requireMechanism(session, 'CKM_AES_KEY_WRAP_PAD');
    const data = await session.call('wrapKwp', { keyId: recipient.keyId, dek }, { mechanism: 'CKM_AES_KEY_WRAP_PAD' });
    return { scheme: 'aes-kwp', recipient: recipient.fingerprint, data };
  }
  requireMechanism(session, 'CKM_AES_GCM');
  const nonce = randomBytes(12);
  const data = await session.call(
    'gcmEncrypt',
    { keyId: recipient.keyId, data: dek, iv: nonce, aad: aesAad(recipient.fingerprint) },
    { mechanism: 'CKM_AES_GCM' },
  );
  return { scheme: 'aes-gcm', recipient: recipient.fingerprint, data, nonce };
}

/**
 * Unwraps a DEK with the matching key on the session's token. `recipient` names the key; without
 * it the key is found by fingerprint among the token's keys. The caller zeroes the result.
 */
export async function unwrapOnToken(session: WrappingSession, wrapped: WrappedKey, recipient?: Recipient): Promise<Buffer> {
  const keyId = recipient?.keyId ?? (await session.keyIdFor(wrapped.recipient));
  const fp = wrapped.recipient;
  try {
    switch (wrapped.scheme) {
      case 'rsa-oaep-sha256':
      case 'rsa-oaep-sha1':
        requireMechanism(session, 'CKM_RSA_PKCS_OAEP');
        return await session.call(
          'decryptOaep',
          { keyId, hash: wrapped.scheme === 'rsa-oaep-sha1' ? 'sha1' : 'sha256', data: wrapped.data },
          { mechanism: `CKM_RSA_PKCS_OAEP with ${wrapped.scheme === 'rsa-oaep-sha1' ? 'SHA-1' : 'SHA-256'}` },
        );
      case 'ecdh-es+a256kw-p256':
      case 'ecdh-es+a256kw-p384': {
        requireMechanism(session, 'CKM_ECDH1_DERIVE');
        const curve = schemeCurve(wrapped.scheme)!;
        if (!wrapped.epk) throw tampered(fp);
        const recipientSpki = recipient?.publicKeySpki ?? (await session.publicKeyFor(keyId));
        // The ephemeral key must be a valid point on the scheme's curve before the token sees it.
        const point = spkiPoint(wrapped.epk, curve);
        if (!point) throw tampered(fp);
        const z = await session.call('ecdh', { keyId, publicPoint: point, length: CURVE_BYTES[curve] }, { mechanism: 'CKM_ECDH1_DERIVE' });
        const kek = ecdhEsKek(z, curve, wrapped.epk, recipientSpki);
        try {
          return aesKeyUnwrap(kek, wrapped.data, fp);
        } finally {
          z.fill(0);
          kek.fill(0);
        }
      }
      case 'aes-kwp':
        requireMechanism(session, 'CKM_AES_KEY_WRAP_PAD');
        return await session.call('unwrapKwp', { keyId, data: wrapped.data }, { mechanism: 'CKM_AES_KEY_WRAP_PAD' });
      case 'aes-gcm':
        requireMechanism(session, 'CKM_AES_GCM');
        if (!wrapped.nonce) throw tampered(fp);
        return await session.call('gcmDecrypt', { keyId, data: wrapped.data, iv: wrapped.nonce, aad: aesAad(fp) }, { mechanism: 'CKM_AES_GCM' });
      default:
        throw new TesseraError(
          'MECHANISM_UNSUPPORTED',
          `Wrapping scheme "${String((wrapped as { scheme: unknown }).scheme)}" is not known to this version of Tessera.`,
        );
    }
  } catch (error) {
    // A token that rejects the ciphertext itself reports it as TAMPERED naming the recipient.
    if (error instanceof TesseraError && error.code === 'TAMPERED') throw tampered(fp);
    // Some tokens (SoftHSM2's AES-KWP) answer a failed integrity check with a generic failure. With
    // the token still unlocked and the key found, that is the wrapped data's fault.
    const ckr = error instanceof TesseraError ? error.details?.ckr : undefined;
    if (
      error instanceof TesseraError &&
      error.code === 'DEVICE_ERROR' &&
      (ckr === 'CKR_GENERAL_ERROR' || ckr === 'CKR_FUNCTION_FAILED') &&
      session.isUnlocked()
    ) {
      throw tampered(fp);
    }
    throw error;
  }
}
