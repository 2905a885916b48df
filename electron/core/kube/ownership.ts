// Which Secrets are Tessera's: those it recorded creating or adopting, by uid. A label can be
// copied by anyone (kubectl label, a hand-written manifest), so a label alone never makes a
// Secret Tessera's: such a Secret only "claims to be Tessera's", is shown so, and is never
// changed or deleted until someone adopts it explicitly.
// A write whose answer is lost (a timeout, a crash) leaves a Secret Tessera made but never learnt
// the uid of. So before each write Tessera records its intent: a fresh random write id, which the
// write puts in the annotation tessera.dev/write-id. A Secret at that place carrying a write id
// Tessera recorded (and not yet resolved) is Tessera's own and is recorded by its uid then; the
// intent is used up. A label or an annotation copied from elsewhere matches no pending intent.
import { transaction, type Database } from '../store/database.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';
import { FIELD_MANAGER, MANAGED_BY } from './types.ts';

export interface OwnedSecret {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  /** The field manager that owned the managed-by label when Tessera recorded the Secret. */
  manager: string | null;
  how: 'created' | 'adopted';
  /** The version Tessera last wrote, with its provisioning stamp (kept here, never read back from the cluster). */
  versionId: string | null;
  provisionedAt: string | null;
  provisionedBy: string | null;
  /** The write id Tessera put in the Secret's annotation with its last write (kept so re-applying the same version changes nothing). */
  writeId?: string | null | undefined;
}

/** A write Tessera is about to make, recorded before it goes out. */
export interface WriteIntent {
  cluster: string;
  namespace: string;
  name: string;
  writeId: string;
  how: 'created' | 'adopted';
  versionId: string;
  provisionedAt: string;
  provisionedBy: string;
}

export interface SecretOwnership {
  /** Tessera's record of the Secret at this place, or null. */
  get(cluster: string, namespace: string, name: string): OwnedSecret | null;
  /** Records the Secret by uid; resolves (forgets) every pending write intent at that place. */
  record(entry: OwnedSecret): void;
  /** Records, before the write, the write id it carries. */
  intend(intent: WriteIntent): void;
  /** The pending intent with this write id at that place, or null. */
  intent(cluster: string, namespace: string, name: string, writeId: string): WriteIntent | null;
  /** Forgets the record, only if it is for this uid. */
  forget(cluster: string, namespace: string, name: string, uid: string): void;
  /** uids of every Secret Tessera recorded on the cluster, by "namespace/name". */
  ofCluster(cluster: string): Map<string, string>;
}

/** Whether the live Secret (its uid) is the one Tessera recorded at that place. */
export function isOwned(ownership: SecretOwnership, cluster: string, namespace: string, name: string, uid: string | null | undefined): boolean {
  if (!uid) return false;
  return ownership.get(cluster, namespace, name)?.uid === uid;
}

/**
 * Tessera's record of the live Secret at this place: by uid, or, when Tessera's write to it lost
 * its answer, by the write id of a pending intent (then recorded by uid now, the intent used up).
 * Null when the Secret is not Tessera's (a copied label or annotation matches no pending intent).
 */
export function recognise(
  ownership: SecretOwnership,
  cluster: string,
  namespace: string,
  name: string,
  live: { uid?: string | null | undefined; writeId?: string | null | undefined; managedFields?: unknown },
): OwnedSecret | null {
  if (!live.uid) return null;
  const record = ownership.get(cluster, namespace, name);
  if (record?.uid === live.uid) return record;
  if (!live.writeId) return null;
  const intent = ownership.intent(cluster, namespace, name, live.writeId);
  if (!intent) return null;
  // Tessera's apply owns the label it wrote; a Secret whose label someone else set is not the one written.
  const manager = labelManager(live.managedFields);
  if (manager !== FIELD_MANAGER) return null;
  const owned: OwnedSecret = {
    cluster,
    namespace,
    name,
    uid: live.uid,
    manager,
    how: intent.how,
    versionId: intent.versionId,
    provisionedAt: intent.provisionedAt,
    provisionedBy: intent.provisionedBy,
    writeId: intent.writeId,
  };
  ownership.record(owned);
  return owned;
}

/** The field manager that owns the managed-by label, from managedFields. */
export function labelManager(managedFields: unknown): string | null {
  const entries = Array.isArray(managedFields) ? (managedFields as ManagedFieldsEntry[]) : [];
  for (const entry of entries) {
    const labels = (entry.fieldsV1?.['f:metadata'] as Record<string, unknown> | undefined)?.['f:labels'] as Record<string, unknown> | undefined;
    if (labels && `f:${MANAGED_BY}` in labels) return entry.manager ?? null;
  }
  return null;
}

const key = (cluster: string, namespace: string, name: string) => `${cluster}\u0000${namespace}\u0000${name}`;

export function memoryOwnership(): SecretOwnership {
  const records = new Map<string, OwnedSecret>();
  const intents = new Map<string, WriteIntent[]>();
  return {
    get: (cluster, namespace, name) => records.get(key(cluster, namespace, name)) ?? null,
    record(entry) {
      records.set(key(entry.cluster, entry.namespace, entry.name), { ...entry });
      intents.delete(key(entry.cluster, entry.namespace, entry.name));
    },
    intend(intent) {
      const k = key(intent.cluster, intent.namespace, intent.name);
      intents.set(k, [...(intents.get(k) ?? []), { ...intent }]);
    },
    intent: (cluster, namespace, name, writeId) => intents.get(key(cluster, namespace, name))?.find((i) => i.writeId === writeId) ?? null,
    forget(cluster, namespace, name, uid) {
      if (records.get(key(cluster, namespace, name))?.uid === uid) records.delete(key(cluster, namespace, name));
    },
    ofCluster: (cluster) =>
      new Map([...records.values()].filter((r) => r.cluster === cluster).map((r) => [`${r.namespace}/${r.name}`, r.uid] as [string, string])),
  };
}

interface Row {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  manager: string | null;
  how: string;
  version_id: string | null;
  provisioned_at: string | null;
  provisioned_by: string | null;
  write_id: string | null;
}

const fromRow = (r: Row): OwnedSecret => ({
  cluster: r.cluster,
  namespace: r.namespace,
  name: r.name,
  uid: r.uid,
  manager: r.manager,
  how: r.how === 'adopted' ? 'adopted' : 'created',
  versionId: r.version_id,
  provisionedAt: r.provisioned_at,
  provisionedBy: r.provisioned_by,
  writeId: r.write_id,
});

/** Records in the store (tables owned_secrets and secret_write_intents, migrations 0005 and 0007). */
export function sqliteOwnership(db: Database): SecretOwnership {
  return {
    get(cluster, namespace, name) {
      const row = db.prepare('SELECT * FROM owned_secrets WHERE cluster = ? AND namespace = ? AND name = ?').get(cluster, namespace, name) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    record(e) {
      transaction(db, () => {
        db.prepare(
          `INSERT INTO owned_secrets (cluster, namespace, name, uid, manager, how, version_id, provisioned_at, provisioned_by, write_id, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (cluster, namespace, name) DO UPDATE SET uid = excluded.uid, manager = excluded.manager, how = excluded.how,
             version_id = excluded.version_id, provisioned_at = excluded.provisioned_at, provisioned_by = excluded.provisioned_by,
             write_id = excluded.write_id, recorded_at = excluded.recorded_at`,
        ).run(
          e.cluster,
          e.namespace,
          e.name,
          e.uid,
          e.manager,
          e.how,
          e.versionId,
          e.provisionedAt,
          e.provisionedBy,
          e.writeId ?? null,
          new Date().toISOString(),
        );
        db.prepare('DELETE FROM secret_write_intents WHERE cluster = ? AND namespace = ? AND name = ?').run(e.cluster, e.namespace, e.name);
      });
    },
    intend(i) {
      db.prepare(
        `INSERT OR REPLACE INTO secret_write_intents (cluster, namespace, name, write_id, how, version_id, provisioned_at, provisioned_by, intended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(i.cluster, i.namespace, i.name, i.writeId, i.how, i.versionId, i.provisionedAt, i.provisionedBy, new Date().toISOString());
    },
    intent(cluster, namespace, name, writeId) {
      const row = db
        .prepare('SELECT * FROM secret_write_intents WHERE cluster = ? AND namespace = ? AND name = ? AND write_id = ?')
        .get(cluster, namespace, name, writeId) as
        { write_id: string; how: string; version_id: string; provisioned_at: string; provisioned_by: string } | undefined;
      if (!row) return null;
      return {
        cluster,
        namespace,
        name,
        writeId: row.write_id,
        how: row.how === 'adopted' ? 'adopted' : 'created',
        versionId: row.version_id,
        provisionedAt: row.provisioned_at,
        provisionedBy: row.provisioned_by,
      };
    },
    forget(cluster, namespace, name, uid) {
      db.prepare('DELETE FROM owned_secrets WHERE cluster = ? AND namespace = ? AND name = ? AND uid = ?').run(cluster, namespace, name, uid);
    },
    ofCluster(cluster) {
      const rows = db.prepare('SELECT namespace, name, uid FROM owned_secrets WHERE cluster = ?').all(cluster) as {
        namespace: string;
        name: string;
        uid: string;
      }[];
      return new Map(rows.map((r) => [`${r.namespace}/${r.name}`, r.uid]));
    },
  };
}
