// The vault's first schema: apps, secrets, immutable versions with their wrapped data keys,
// recipients, clusters, principals, approval policies and the append-only audit log.
// Immutability and append-only are enforced by triggers, not only by the code above them.
import type { Migration } from './migration.ts';

export const VAULT_INITIAL: Migration = {
  id: '0001_vault_initial',
  sql: `
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  namespace TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  owners TEXT NOT NULL DEFAULT '[]',
  selector TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE app_cluster_rules (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  cluster TEXT NOT NULL,
  rule TEXT NOT NULL CHECK (rule IN ('include', 'exclude')),
  PRIMARY KEY (app_id, cluster)
);
CREATE TABLE app_publications (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  cluster TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('published', 'unpublished')),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (app_id, cluster)
);
CREATE TABLE secrets (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  delivery TEXT NOT NULL CHECK (delivery IN ('env', 'volume')),
  mount_path TEXT,
  workload_kind TEXT,
  workload_name TEXT,
  workload_container TEXT,
  create_namespace INTEGER NOT NULL DEFAULT 0,
  key_names TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, name)
);
CREATE TABLE secret_versions (
  id TEXT PRIMARY KEY,
  secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number >= 1),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  source TEXT NOT NULL,
  key_names TEXT NOT NULL,
  format TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  UNIQUE (secret_id, number)
);
CREATE TRIGGER secret_versions_immutable BEFORE UPDATE ON secret_versions
BEGIN SELECT RAISE(ABORT, 'secret versions are immutable'); END;
CREATE TABLE wrapped_keys (
  version_id TEXT NOT NULL REFERENCES secret_versions(id) ON DELETE CASCADE,
  recipient TEXT NOT NULL,
  scheme TEXT NOT NULL,
  data BLOB NOT NULL,
  epk BLOB,
  nonce BLOB,
  wrapped_at TEXT NOT NULL,
  PRIMARY KEY (version_id, recipient)
);
CREATE INDEX wrapped_keys_recipient ON wrapped_keys(recipient);
CREATE TABLE recipients (
  fingerprint TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('rsa-oaep', 'ecdh-es', 'aes-kw')),
  label TEXT NOT NULL,
  public_key BLOB,
  curve TEXT,
  oaep_hash TEXT,
  aes_scheme TEXT,
  token_serial TEXT,
  key_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  retired_at TEXT
);
CREATE TABLE clusters (
  name TEXT PRIMARY KEY,
  kubeconfig_source TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE principals (
  name TEXT PRIMARY KEY,
  roles TEXT NOT NULL,
  signing_spki BLOB NOT NULL,
  key_fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE approval_policies (
  name TEXT PRIMARY KEY,
  selector TEXT NOT NULL,
  required_approvals INTEGER NOT NULL CHECK (required_approvals >= 0),
  approver_role TEXT NOT NULL DEFAULT 'release-manager',
  exclude_requester INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  principal TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  signature BLOB NOT NULL
);
`,
};
