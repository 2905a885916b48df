// How the vault reaches keys: wrapping a data key for every active recipient (in software for
// RSA and EC, on the token for AES) and unwrapping it with whichever unlocked token holds one
// of the version's recipients. The vault needs only this narrow view of the token layer.
import { TesseraError } from '../../../shared/contract/index.ts';
import {
  aesFingerprint,
  spkiFingerprint,
  decodeWrappedKey,
  unwrapOnToken,
  wrapInSoftware,
  wrapOnToken,
  type Recipient,
  type TokenSession,
  type TokenSignature,
  type WrappedKey,
} from '../hsm/index.ts';
import type { RecipientRecord, WrappedKeyRow } from '../store/index.ts';
import type { RecipientStatement } from './trust-port.ts';

/** The slice of the token layer the vault uses. */
export interface TokenAccess {
  /** Sessions of every token unlocked right now. */
  unlockedSessions(): Promise<TokenSession[]>;
  /** The session of one token (TOKEN_LOCKED / TOKEN_ABSENT otherwise). */
  session(serial: string): Promise<TokenSession>;
  recipientForKey(serial: string, keyId: string): Promise<Recipient>;
  sign(serial: string, keyId: string, data: Buffer): Promise<TokenSignature>;
}

/** Why a recipient's fingerprint is not its key's (SHA-256 of the SPKI; for AES, of the token identity), or null. */
export function recipientIdentityProblem(st: Pick<RecipientStatement, 'kind' | 'fingerprint' | 'spki' | 'tokenSerial' | 'keyId'>): string | null {
  if (st.kind === 'aes-kw') {
    if (!st.tokenSerial || !st.keyId) return 'an AES recipient needs its token serial and key id';
    return aesFingerprint(st.tokenSerial, st.keyId) === st.fingerprint ? null : 'its fingerprint is not the token identity (serial and key id) it names';
  }
  if (!st.spki) return 'a public-key recipient needs its public key';
  return spkiFingerprint(Buffer.from(st.spki, 'base64')) === st.fingerprint ? null : 'its fingerprint is not the SHA-256 of its public key';
}

/** The same check on a stored recipient. */
export function recordIdentityProblem(r: RecipientRecord): string | null {
  return recipientIdentityProblem({
    kind: r.kind,
    fingerprint: r.fingerprint,
    spki: r.publicKey ? Buffer.from(r.publicKey).toString('base64') : null,
    tokenSerial: r.tokenSerial,
    keyId: r.keyId,
  });
}

function identityTampered(r: RecipientRecord, why: string): TesseraError {
  return new TesseraError(
    'TAMPERED',
    `Recipient ${r.fingerprint.slice(0, 16)}… ("${r.label}"): ${why}. Its key was swapped in the database; nothing was wrapped or unwrapped with it. Restore the database from a backup.`,
    { details: { recipient: r.fingerprint } },
  );
}

export function toRecipient(r: RecipientRecord, keyId?: string): Recipient {
  return {
    kind: r.kind,
    fingerprint: r.fingerprint,
    ...(r.publicKey ? { publicKeySpki: Buffer.from(r.publicKey) } : {}),
    ...(r.curve ? { curve: r.curve } : {}),
    ...(r.oaepHash ? { oaepHash: r.oaepHash } : {}),
    ...(r.aesScheme ? { aesScheme: r.aesScheme } : {}),
    ...(r.tokenSerial ? { tokenSerial: r.tokenSerial } : {}),
    ...((keyId ?? r.keyId) ? { keyId: keyId ?? r.keyId! } : {}),
    label: r.label,
  };
}

export function toRow(w: WrappedKey): WrappedKeyRow {
  return { recipient: w.recipient, scheme: w.scheme, data: w.data, epk: w.epk ?? null, nonce: w.nonce ?? null };
}

const SCHEMES_BY_KIND: Record<RecipientRecord['kind'], readonly string[]> = {
  'rsa-oaep': ['rsa-oaep-sha256', 'rsa-oaep-sha1'],
  'ecdh-es': ['ecdh-es+a256kw-p256', 'ecdh-es+a256kw-p384'],
  'aes-kw': ['aes-kwp', 'aes-gcm'],
};

/** Whether a stored wrapped key is consistent with its recipient (scheme family and curve). */
export function schemeFits(r: RecipientRecord, scheme: string): boolean {
  if (!SCHEMES_BY_KIND[r.kind].includes(scheme)) return false;
  if (r.kind === 'ecdh-es') return scheme === (r.curve === 'P-384' ? 'ecdh-es+a256kw-p384' : 'ecdh-es+a256kw-p256');
  return true;
}

/** Sessions looked up once per operation; a key's token is found once and remembered. */
export class KeyFinder {
  private readonly tokens: () => TokenAccess;
  private sessions: TokenSession[] | null = null;
  private readonly found = new Map<string, { session: TokenSession; keyId: string } | null>();

  constructor(tokens: () => TokenAccess) {
    this.tokens = tokens;
  }

  async all(): Promise<TokenSession[]> {
    this.sessions ??= await this.tokens().unlockedSessions();
    return this.sessions;
  }

  /** Which unlocked token holds the recipient's key, or null. */
  async locate(r: RecipientRecord): Promise<{ session: TokenSession; keyId: string } | null> {
    if (this.found.has(r.fingerprint)) return this.found.get(r.fingerprint)!;
    let hit: { session: TokenSession; keyId: string } | null = null;
    for (const session of await this.all()) {
      if (r.tokenSerial && session.tokenSerial !== r.tokenSerial) continue;
      if (!session.isUnlocked()) continue;
      try {
        hit = { session, keyId: r.keyId ?? (await session.keyIdFor(r.fingerprint)) };
        break;
      } catch (error) {
        if (!(error instanceof TesseraError) || error.code !== 'NOT_FOUND') throw error;
      }
    }
    this.found.set(r.fingerprint, hit);
    return hit;
  }

  /** Wraps a DEK for one recipient: software for public keys, the token for AES. */
  async wrap(r: RecipientRecord, dek: Buffer): Promise<WrappedKeyRow> {
    const bad = recordIdentityProblem(r);
    if (bad) throw identityTampered(r, bad);
    if (r.kind !== 'aes-kw') return toRow(wrapInSoftware(toRecipient(r), dek));
    if (!r.tokenSerial) throw new TesseraError('INVALID_INPUT', `AES recipient "${r.label}" has no token serial.`);
    const session = await this.tokens().session(r.tokenSerial);
    return toRow(await wrapOnToken(session, toRecipient(r), dek));
  }

  /**
   * Unwraps the DEK with the first wrapped key whose recipient sits on an unlocked token. Throws
   * TOKEN_LOCKED naming the recipients when none does; `tampered` when the token rejects the data.
   */
  async unwrap(
    rows: WrappedKeyRow[],
    recipients: Map<string, RecipientRecord>,
    tampered: (why: string) => TesseraError,
  ): Promise<{ dek: Buffer; recipient: RecipientRecord }> {
    for (const row of rows) {
      const r = recipients.get(row.recipient);
      if (!r) throw tampered(`a data key is wrapped for an unknown recipient ${row.recipient.slice(0, 16)}…`);
      if (!schemeFits(r, row.scheme)) throw tampered(`the wrapping scheme does not fit recipient "${r.label}"`);
    }
    for (const row of rows) {
      const r = recipients.get(row.recipient)!;
      const bad = recordIdentityProblem(r);
      if (bad) throw identityTampered(r, bad);
      const where = await this.locate(r);
      if (!where) continue;
      const wrapped = decodeWrappedKey({
        scheme: row.scheme as WrappedKey['scheme'],
        recipient: row.recipient,
        data: Buffer.from(row.data).toString('base64'),
        ...(row.epk ? { epk: Buffer.from(row.epk).toString('base64') } : {}),
        ...(row.nonce ? { nonce: Buffer.from(row.nonce).toString('base64') } : {}),
      });
      let dek: Buffer;
      try {
        dek = await unwrapOnToken(where.session, wrapped, toRecipient(r, where.keyId));
      } catch (error) {
        if (error instanceof TesseraError && error.code === 'TAMPERED') throw tampered(`the data key wrapped for "${r.label}" failed its integrity check`);
        throw error;
      }
      if (dek.length !== 32) {
        dek.fill(0);
        throw tampered(`the data key wrapped for "${r.label}" has the wrong length`);
      }
      return { dek, recipient: r };
    }
    const names = rows.map((row) => `"${recipients.get(row.recipient)!.label}"`).join(', ');
    throw new TesseraError('TOKEN_LOCKED', `No unlocked token holds a key this version is wrapped for (${names || 'none'}). Unlock one of them and retry.`);
  }
}
