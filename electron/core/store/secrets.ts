// Secrets and their immutable versions. A version row never changes (a trigger refuses it);
// only its wrapped data keys are replaced, one version per transaction, when recipients rotate.
import { randomUUID } from 'node:crypto';
import type { Delivery, WorkloadRef } from '../../../shared/contract/index.ts';
import { transaction, type Database } from './database.ts';

export interface SecretRecord {
  id: string;
  appId: string;
  name: string;
  delivery: Delivery;
  mountPath: string | null;
  workload: WorkloadRef | null;
  createNamespace: boolean;
  keyNames: string[];
  createdAt: string;
  updatedAt: string;
}

export interface WrappedKeyRow {
  recipient: string;
  scheme: string;
  data: Uint8Array;
  epk: Uint8Array | null;
  nonce: Uint8Array | null;
}

export interface VersionRecord {
  id: string;
  secretId: string;
  number: number;
  createdAt: string;
  createdBy: string;
  source: string;
  keyNames: string[];
  format: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** The author's token signature over a version (electron/core/vault/signed-messages.ts). */
export interface VersionSignatureRow {
  versionId: string;
  author: string;
  keyFingerprint: string;
  algorithm: string;
  signature: Uint8Array;
  contentDigest: string;
}

interface SecretRow {
  id: string;
  app_id: string;
  name: string;
  delivery: Delivery;
  mount_path: string | null;
  workload_kind: string | null;
  workload_name: string | null;
  workload_container: string | null;
  create_namespace: number;
  key_names: string;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  id: string;
  secret_id: string;
  number: number;
  created_at: string;
  created_by: string;
  source: string;
  key_names: string;
  format: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

function toSecret(r: SecretRow): SecretRecord {
  return {
    id: r.id,
    appId: r.app_id,
    name: r.name,
    delivery: r.delivery,
    mountPath: r.mount_path,
    workload:
      r.workload_kind && r.workload_name
        ? ({ kind: r.workload_kind, name: r.workload_name, ...(r.workload_container ? { container: r.workload_container } : {}) } as WorkloadRef)
        : null,
    createNamespace: r.create_namespace === 1,
    keyNames: JSON.parse(r.key_names) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toVersion(r: VersionRow): VersionRecord {
  return {
    id: r.id,
    secretId: r.secret_id,
    number: r.number,
    createdAt: r.created_at,
    createdBy: r.created_by,
    source: r.source,
    keyNames: JSON.parse(r.key_names) as string[],
    format: r.format,
    nonce: r.nonce,
    ciphertext: r.ciphertext,
  };
}

export type SecretFields = Pick<SecretRecord, 'delivery' | 'mountPath' | 'workload' | 'createNamespace' | 'keyNames'>;

export class SecretRepository {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  listForApp(appId: string): SecretRecord[] {
    return (this.db.prepare('SELECT * FROM secrets WHERE app_id = ? ORDER BY name').all(appId) as unknown as SecretRow[]).map(toSecret);
  }

  find(appId: string, name: string): SecretRecord | null {
    const row = this.db.prepare('SELECT * FROM secrets WHERE app_id = ? AND name = ?').get(appId, name) as SecretRow | undefined;
    return row ? toSecret(row) : null;
  }

  byId(id: string): SecretRecord | null {
    const row = this.db.prepare('SELECT * FROM secrets WHERE id = ?').get(id) as SecretRow | undefined;
    return row ? toSecret(row) : null;
  }

  count(appId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM secrets WHERE app_id = ?').get(appId) as { n: number }).n;
  }

  upsert(appId: string, name: string, f: SecretFields, now = new Date().toISOString()): SecretRecord {
    const existing = this.find(appId, name);
    const args = [
      f.delivery,
      f.mountPath,
      f.workload?.kind ?? null,
      f.workload?.name ?? null,
      f.workload?.container ?? null,
      f.createNamespace ? 1 : 0,
      JSON.stringify(f.keyNames),
    ] as const;
    if (existing) {
      this.db
        .prepare(
          'UPDATE secrets SET delivery = ?, mount_path = ?, workload_kind = ?, workload_name = ?, workload_container = ?, create_namespace = ?, key_names = ?, updated_at = ? WHERE id = ?',
        )
        .run(...args, now, existing.id);
      return this.byId(existing.id)!;
    }
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO secrets (delivery, mount_path, workload_kind, workload_name, workload_container, create_namespace, key_names, id, app_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(...args, id, appId, name, now, now);
    return this.byId(id)!;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM secrets WHERE id = ?').run(id);
  }

  // ---- versions ----

  versions(secretId: string): VersionRecord[] {
    return (this.db.prepare('SELECT * FROM secret_versions WHERE secret_id = ? ORDER BY number DESC').all(secretId) as unknown as VersionRow[]).map(toVersion);
  }

  version(secretId: string, number?: number): VersionRecord | null {
    const row = (
      number === undefined
        ? this.db.prepare('SELECT * FROM secret_versions WHERE secret_id = ? ORDER BY number DESC LIMIT 1').get(secretId)
        : this.db.prepare('SELECT * FROM secret_versions WHERE secret_id = ? AND number = ?').get(secretId, number)
    ) as VersionRow | undefined;
    return row ? toVersion(row) : null;
  }

  versionById(id: string): VersionRecord | null {
    const row = this.db.prepare('SELECT * FROM secret_versions WHERE id = ?').get(id) as VersionRow | undefined;
    return row ? toVersion(row) : null;
  }

  versionCount(secretId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM secret_versions WHERE secret_id = ?').get(secretId) as { n: number }).n;
  }

  nextNumber(secretId: string): number {
    return ((this.db.prepare('SELECT MAX(number) AS n FROM secret_versions WHERE secret_id = ?').get(secretId) as { n: number | null }).n ?? 0) + 1;
  }

  /** Every version id, oldest first (rotation walks these). */
  allVersionIds(): string[] {
    return (this.db.prepare('SELECT id FROM secret_versions ORDER BY created_at, id').all() as { id: string }[]).map((r) => r.id);
  }

  /** Inserts a version, its author's signature, its wrapped keys and the secret's new key names in one transaction. */
  insertVersion(v: VersionRecord, wrapped: WrappedKeyRow[], signature: VersionSignatureRow | null = null): void {
    transaction(this.db, () => {
      this.db
        .prepare(
          'INSERT INTO secret_versions (id, secret_id, number, created_at, created_by, source, key_names, format, nonce, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(v.id, v.secretId, v.number, v.createdAt, v.createdBy, v.source, JSON.stringify(v.keyNames), v.format, v.nonce, v.ciphertext);
      if (signature)
        this.db
          .prepare('INSERT INTO version_signatures (version_id, author, key_fingerprint, algorithm, signature, digest) VALUES (?, ?, ?, ?, ?, ?)')
          .run(v.id, signature.author, signature.keyFingerprint, signature.algorithm, signature.signature, signature.contentDigest);
      this.insertWrapped(v.id, wrapped, v.createdAt);
      this.db.prepare('UPDATE secrets SET key_names = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(v.keyNames), v.createdAt, v.secretId);
    });
  }

  private insertWrapped(versionId: string, wrapped: WrappedKeyRow[], now: string) {
    const insert = this.db.prepare('INSERT INTO wrapped_keys (version_id, recipient, scheme, data, epk, nonce, wrapped_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const w of wrapped) insert.run(versionId, w.recipient, w.scheme, w.data, w.epk, w.nonce, now);
  }

  signature(versionId: string): VersionSignatureRow | null {
    const row = this.db
      .prepare(
        'SELECT version_id AS versionId, author, key_fingerprint AS keyFingerprint, algorithm, signature, digest AS contentDigest FROM version_signatures WHERE version_id = ?',
      )
      .get(versionId) as VersionSignatureRow | undefined;
    return row ?? null;
  }

  wrappedKeys(versionId: string): WrappedKeyRow[] {
    return this.db
      .prepare('SELECT recipient, scheme, data, epk, nonce FROM wrapped_keys WHERE version_id = ? ORDER BY recipient')
      .all(versionId) as unknown as WrappedKeyRow[];
  }

  /** Adds keys for new recipients and drops keys for removed ones, atomically for one version. */
  replaceWrapped(versionId: string, add: WrappedKeyRow[], remove: string[], now = new Date().toISOString()): void {
    transaction(this.db, () => {
      this.insertWrapped(versionId, add, now);
      const del = this.db.prepare('DELETE FROM wrapped_keys WHERE version_id = ? AND recipient = ?');
      for (const r of remove) del.run(versionId, r);
    });
  }

  wrappedCount(recipient: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM wrapped_keys WHERE recipient = ?').get(recipient) as { n: number }).n;
  }
}
