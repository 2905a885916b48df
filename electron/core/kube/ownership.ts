// Which Secrets are Tessera's: those it recorded creating or adopting, by uid. A label can be
// copied by anyone (kubectl label, a hand-written manifest), so a label alone never makes a
// Secret Tessera's: such a Secret only "claims to be Tessera's", is shown so, and is never
// changed or deleted until someone adopts it explicitly.
import type { Database } from '../store/database.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';
import { MANAGED_BY } from './types.ts';

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
}

export interface SecretOwnership {
  /** Tessera's record of the Secret at this place, or null. */
  get(cluster: string, namespace: string, name: string): OwnedSecret | null;
  record(entry: OwnedSecret): void;
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
  return {
    get: (cluster, namespace, name) => records.get(key(cluster, namespace, name)) ?? null,
    record: (entry) => void records.set(key(entry.cluster, entry.namespace, entry.name), { ...entry }),
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
});

/** Records in the store (table owned_secrets, migration 0005_owned_secrets). */
export function sqliteOwnership(db: Database): SecretOwnership {
  return {
    get(cluster, namespace, name) {
      const row = db.prepare('SELECT * FROM owned_secrets WHERE cluster = ? AND namespace = ? AND name = ?').get(cluster, namespace, name) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    record(e) {
      db.prepare(
        `INSERT INTO owned_secrets (cluster, namespace, name, uid, manager, how, version_id, provisioned_at, provisioned_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster, namespace, name) DO UPDATE SET uid = excluded.uid, manager = excluded.manager, how = excluded.how,
           version_id = excluded.version_id, provisioned_at = excluded.provisioned_at, provisioned_by = excluded.provisioned_by, recorded_at = excluded.recorded_at`,
      ).run(e.cluster, e.namespace, e.name, e.uid, e.manager, e.how, e.versionId, e.provisionedAt, e.provisionedBy, new Date().toISOString());
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
