// Recipients: the keys data keys are wrapped for. A public-key recipient keeps its SPKI so new
// versions are sealed without a token; an AES recipient is a reference (token serial + CKA_ID).
import type { Database } from './database.ts';

export interface RecipientRecord {
  fingerprint: string;
  kind: 'rsa-oaep' | 'ecdh-es' | 'aes-kw';
  label: string;
  publicKey: Uint8Array | null;
  curve: 'P-256' | 'P-384' | null;
  oaepHash: 'sha256' | 'sha1' | null;
  aesScheme: 'aes-kwp' | 'aes-gcm' | null;
  tokenSerial: string | null;
  keyId: string | null;
  status: 'active' | 'retired';
  addedAt: string;
  addedBy: string;
  retiredAt: string | null;
}

interface Row {
  fingerprint: string;
  kind: RecipientRecord['kind'];
  label: string;
  public_key: Uint8Array | null;
  curve: RecipientRecord['curve'];
  oaep_hash: RecipientRecord['oaepHash'];
  aes_scheme: RecipientRecord['aesScheme'];
  token_serial: string | null;
  key_id: string | null;
  status: RecipientRecord['status'];
  added_at: string;
  added_by: string;
  retired_at: string | null;
}

const toRecord = (r: Row): RecipientRecord => ({
  fingerprint: r.fingerprint,
  kind: r.kind,
  label: r.label,
  publicKey: r.public_key,
  curve: r.curve,
  oaepHash: r.oaep_hash,
  aesScheme: r.aes_scheme,
  tokenSerial: r.token_serial,
  keyId: r.key_id,
  status: r.status,
  addedAt: r.added_at,
  addedBy: r.added_by,
  retiredAt: r.retired_at,
});

export class RecipientRepository {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  list(): RecipientRecord[] {
    return (this.db.prepare('SELECT * FROM recipients ORDER BY added_at, fingerprint').all() as unknown as Row[]).map(toRecord);
  }

  active(): RecipientRecord[] {
    return this.list().filter((r) => r.status === 'active');
  }

  find(fingerprint: string): RecipientRecord | null {
    const row = this.db.prepare('SELECT * FROM recipients WHERE fingerprint = ?').get(fingerprint) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  insert(r: RecipientRecord): void {
    this.db
      .prepare(
        'INSERT INTO recipients (fingerprint, kind, label, public_key, curve, oaep_hash, aes_scheme, token_serial, key_id, status, added_at, added_by, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(r.fingerprint, r.kind, r.label, r.publicKey, r.curve, r.oaepHash, r.aesScheme, r.tokenSerial, r.keyId, r.status, r.addedAt, r.addedBy, r.retiredAt);
  }

  /** Writes the row as a signed record states it (insert, or replace an older unsigned row of the same fingerprint). */
  save(r: RecipientRecord): void {
    this.db
      .prepare(
        'INSERT INTO recipients (fingerprint, kind, label, public_key, curve, oaep_hash, aes_scheme, token_serial, key_id, status, added_at, added_by, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET kind = excluded.kind, label = excluded.label, public_key = excluded.public_key, curve = excluded.curve, oaep_hash = excluded.oaep_hash, aes_scheme = excluded.aes_scheme, token_serial = excluded.token_serial, key_id = excluded.key_id, status = excluded.status, added_by = excluded.added_by, retired_at = excluded.retired_at',
      )
      .run(r.fingerprint, r.kind, r.label, r.publicKey, r.curve, r.oaepHash, r.aesScheme, r.tokenSerial, r.keyId, r.status, r.addedAt, r.addedBy, r.retiredAt);
  }

  /** Fills in token details learned later (a PEM recipient whose key was found on a token). */
  reactivate(fingerprint: string): void {
    this.db.prepare("UPDATE recipients SET status = 'active', retired_at = NULL WHERE fingerprint = ?").run(fingerprint);
  }

  retire(fingerprint: string, now = new Date().toISOString()): void {
    this.db.prepare("UPDATE recipients SET status = 'retired', retired_at = ? WHERE fingerprint = ?").run(now, fingerprint);
  }
}
