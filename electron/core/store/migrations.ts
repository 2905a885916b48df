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

export const MIGRATIONS: readonly Migration[] = [VAULT_INITIAL, KUBE_SCANS];
