// Forward-only schema migrations, applied in this order at start-up. Never edit one that has
// shipped; add a new one. Each area appends its own, named '<number>_<area>_<what>'.
import type { Migration } from './migration.ts';
import { VAULT_INITIAL } from './vault-schema.ts';

export type { Migration } from './migration.ts';

/** The Kubernetes layer's last scans (the matrix with its time). */
const KUBE_SCANS: Migration = {
  id: '0002_kube_scans',
  sql: 'CREATE TABLE kube_scans (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, cancelled INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL); CREATE INDEX kube_scans_started ON kube_scans(started_at);',
};

/** Rollouts: the signed chain of principals and policies, plans, approvals and the journal. */
const ROLLOUT_JOURNAL: Migration = {
  id: '0003_rollout_trust_plans_journal',
  sql: `
CREATE TABLE trust_records (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('genesis', 'principal', 'policy')), subject TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL, signer TEXT NOT NULL, key_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL, signature BLOB NOT NULL);
CREATE TRIGGER trust_records_no_update BEFORE UPDATE ON trust_records BEGIN SELECT RAISE(ABORT, 'trust records are append-only'); END;
CREATE TABLE rollout_plans (hash TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, scan_id TEXT);
CREATE TABLE rollout_approvals (plan_hash TEXT NOT NULL REFERENCES rollout_plans(hash) ON DELETE CASCADE, principal TEXT NOT NULL, key_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL, signature BLOB NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (plan_hash, principal));
CREATE TABLE rollouts (id TEXT PRIMARY KEY, plan_hash TEXT NOT NULL REFERENCES rollout_plans(hash), requester TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, unwraps INTEGER NOT NULL DEFAULT 0, owner_pid INTEGER NOT NULL, owner_boot TEXT NOT NULL);
CREATE INDEX rollouts_started ON rollouts(started_at);
CREATE TABLE rollout_steps (rollout_id TEXT NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE, idx INTEGER NOT NULL, app TEXT NOT NULL, secret TEXT NOT NULL, namespace TEXT NOT NULL, cluster TEXT NOT NULL, action TEXT NOT NULL, version_id TEXT, wiring_hash TEXT, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, result TEXT, resource_version TEXT, uid TEXT, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (rollout_id, idx));
CREATE INDEX rollout_steps_cell ON rollout_steps(app, secret, cluster, state);
`,
};

/**
 * The signed chain holds more kinds of record (recipients, app owners, adoption, labels, …): the
 * kind is checked by the code that replays the chain, not by a CHECK that each new kind would
 * have to rebuild. Version signatures by their author sit beside the immutable versions.
 */
const TRUST_KINDS_VERSION_SIGNATURES: Migration = {
  id: '0004_trust_kinds_version_signatures',
  sql: `
CREATE TABLE trust_records_next (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL, signer TEXT NOT NULL, key_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL, signature BLOB NOT NULL);
INSERT INTO trust_records_next SELECT seq, kind, subject, body, hash, signer, key_fingerprint, algorithm, signature FROM trust_records;
DROP TABLE trust_records;
ALTER TABLE trust_records_next RENAME TO trust_records;
CREATE TRIGGER trust_records_no_update BEFORE UPDATE ON trust_records BEGIN SELECT RAISE(ABORT, 'trust records are append-only'); END;
CREATE TABLE version_signatures (version_id TEXT PRIMARY KEY REFERENCES secret_versions(id) ON DELETE CASCADE, author TEXT NOT NULL, key_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL, signature BLOB NOT NULL, digest TEXT NOT NULL);
CREATE TRIGGER version_signatures_immutable BEFORE UPDATE ON version_signatures BEGIN SELECT RAISE(ABORT, 'version signatures are immutable'); END;
`,
};

/**
 * The Secrets Tessera created or adopted, by uid: only these may be changed or deleted. Secrets
 * an earlier release wrote are carried over from the rollout journal (its last successful write
 * of each place), so upgrading does not turn them into mere claims.
 */
const OWNED_SECRETS: Migration = {
  id: '0005_owned_secrets',
  sql: `
CREATE TABLE owned_secrets (cluster TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL, manager TEXT, how TEXT NOT NULL, version_id TEXT, provisioned_at TEXT, provisioned_by TEXT, recorded_at TEXT NOT NULL, PRIMARY KEY (cluster, namespace, name));
INSERT OR IGNORE INTO owned_secrets (cluster, namespace, name, uid, manager, how, version_id, provisioned_at, provisioned_by, recorded_at)
  SELECT s.cluster, s.namespace, s.secret, s.uid, 'tessera', CASE s.action WHEN 'adopt' THEN 'adopted' ELSE 'created' END, s.version_id, NULL, NULL, s.updated_at
  FROM rollout_steps s
  WHERE s.state = 'done' AND s.uid IS NOT NULL AND s.action IN ('create', 'update', 'adopt', 'rewire')
    AND s.updated_at = (SELECT MAX(t.updated_at) FROM rollout_steps t WHERE t.cluster = s.cluster AND t.namespace = s.namespace AND t.secret = s.secret AND t.state = 'done');
`,
};

/** Time-limited publications: when the reconciler unpublishes an app from a cluster. */
const ROLLOUT_PUBLICATION_EXPIRY: Migration = {
  id: '0006_rollout_publication_expiry',
  sql: 'CREATE TABLE publication_expiry (app TEXT NOT NULL, cluster TEXT NOT NULL, expires_at TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL, PRIMARY KEY (app, cluster));',
};

/**
 * Write intents: the random id each Secret write carries (annotation tessera.dev/write-id),
 * recorded before the write, so a Secret whose write lost its answer is still known as Tessera's.
 */
const SECRET_WRITE_INTENTS: Migration = {
  id: '0007_secret_write_intents',
  sql: `
ALTER TABLE owned_secrets ADD COLUMN write_id TEXT;
CREATE TABLE secret_write_intents (cluster TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, write_id TEXT NOT NULL, how TEXT NOT NULL, version_id TEXT NOT NULL, provisioned_at TEXT NOT NULL, provisioned_by TEXT NOT NULL, intended_at TEXT NOT NULL, PRIMARY KEY (cluster, namespace, name, write_id));
`,
};

export const MIGRATIONS: readonly Migration[] = [
  VAULT_INITIAL,
  KUBE_SCANS,
  ROLLOUT_JOURNAL,
  TRUST_KINDS_VERSION_SIGNATURES,
  OWNED_SECRETS,
  ROLLOUT_PUBLICATION_EXPIRY,
  SECRET_WRITE_INTENTS,
];
