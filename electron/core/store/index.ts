// The store: the SQLite database and one repository per aggregate.
export { openDatabase, transaction, migrate, DATABASE_FILE, type Database } from './database.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export { AppRepository, type AppRecord } from './apps.ts';
export { SecretRepository, type SecretRecord, type VersionRecord, type WrappedKeyRow, type SecretFields, type VersionSignatureRow } from './secrets.ts';
export { RecipientRepository, type RecipientRecord } from './recipients.ts';
export { ClusterRepository } from './clusters.ts';
export { PrincipalRepository, type PrincipalRecord } from './principals.ts';
