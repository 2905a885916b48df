// Envelope encryption of one secret version: the canonical payload encoding, the additional
// data that binds a ciphertext to its record, and AES-256-GCM sealing. docs/crypto.md is the
// byte-level specification; keep the two in step.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const FORMAT_TAG = 'tessera.secret.v1';
const PAYLOAD_MAGIC = Buffer.from('TSP1', 'latin1');
export const DEK_BYTES = 32;
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** One key of a secret and its value bytes. The vault zeroes value buffers after use. */
export interface SecretEntry {
  name: string;
  value: Buffer;
}

/** What a ciphertext is bound to: AES-GCM fails if any of these differ at decryption. */
export interface VersionBinding {
  versionId: string;
  appId: string;
  secretName: string;
  number: number;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/**
 * payload = "TSP1" || u32be(count) || for each entry, sorted by the UTF-8 bytes of its name:
 *           u32be(len(name)) || name (UTF-8) || u32be(len(value)) || value
 */
export function encodePayload(entries: readonly SecretEntry[]): Buffer {
  const sorted = entries.map((e) => ({ name: Buffer.from(e.name, 'utf8'), value: e.value })).sort((a, b) => compareBytes(a.name, b.name));
  const size = 8 + sorted.reduce((n, e) => n + 8 + e.name.length + e.value.length, 0);
  const out = Buffer.alloc(size);
  let at = PAYLOAD_MAGIC.copy(out, 0);
  at = out.writeUInt32BE(sorted.length, at);
  for (const e of sorted) {
    at = out.writeUInt32BE(e.name.length, at);
    at += e.name.copy(out, at);
    at = out.writeUInt32BE(e.value.length, at);
    at += e.value.copy(out, at);
  }
  return out;
}

/** Strict inverse of encodePayload; null when the bytes are not a canonical payload. Values are copies. */
export function decodePayload(payload: Buffer): SecretEntry[] | null {
  if (payload.length < 8 || !payload.subarray(0, 4).equals(PAYLOAD_MAGIC)) return null;
  const count = payload.readUInt32BE(4);
  let at = 8;
  const entries: SecretEntry[] = [];
  let previous: Buffer | null = null;
  for (let i = 0; i < count; i++) {
    if (at + 4 > payload.length) return null;
    const nameLength = payload.readUInt32BE(at);
    at += 4;
    if (at + nameLength + 4 > payload.length) return null;
    const name = payload.subarray(at, at + nameLength);
    at += nameLength;
    const valueLength = payload.readUInt32BE(at);
    at += 4;
    if (at + valueLength > payload.length) return null;
    if (previous && compareBytes(previous, name) >= 0) return null;
    previous = name;
    entries.push({ name: name.toString('utf8'), value: Buffer.from(payload.subarray(at, at + valueLength)) });
    at += valueLength;
  }
  return at === payload.length ? entries : null;
}

/** aad = for each of [format tag, version id, app id, secret name, decimal version number]: u32be(len) || UTF-8 bytes. */
export function additionalData(b: VersionBinding, format = FORMAT_TAG): Buffer {
  const fields = [format, b.versionId, b.appId, b.secretName, String(b.number)].map((f) => Buffer.from(f, 'utf8'));
  return Buffer.concat(fields.flatMap((f) => [u32(f.length), f]));
}

/** Seals the payload: returns the nonce and ciphertext || 16-byte tag. */
export function seal(dek: Buffer, payload: Buffer, binding: VersionBinding): { nonce: Buffer; ciphertext: Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dek, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(binding));
  const ciphertext = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
  return { nonce, ciphertext };
}

/** Opens a sealed payload; null when authentication fails (the caller names the record). */
export function open(dek: Buffer, nonce: Uint8Array, ciphertext: Uint8Array, binding: VersionBinding): Buffer | null {
  if (dek.length !== DEK_BYTES || nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) return null;
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dek, Buffer.from(nonce), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(binding));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

export function newDek(): Buffer {
  return randomBytes(DEK_BYTES);
}

/** Zeroes every value buffer (and the buffers given). */
export function wipe(entries: readonly SecretEntry[] | null, ...buffers: (Buffer | null | undefined)[]): void {
  for (const e of entries ?? []) e.value.fill(0);
  for (const b of buffers) b?.fill(0);
}
