// The audit log: what the rest of core may use.
export { AuditLog, entryHash, checkpointMessage, GENESIS_HASH, type AuditInput, type AuditDetails } from './audit-log.ts';
export { canonicalJson } from '../../../shared/domain/canonical-json.ts';
