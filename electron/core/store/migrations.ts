// Forward-only schema migrations, applied in this order at start-up. Never edit one that has
// shipped; add a new one. Each area appends its own, named '<number>_<area>_<what>'.
import { VAULT_INITIAL } from './vault-schema.ts';

export interface Migration {
  id: string;
  sql: string;
}

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

export const MIGRATIONS: readonly Migration[] = [VAULT_INITIAL, KUBE_SCANS, ROLLOUT_JOURNAL];
