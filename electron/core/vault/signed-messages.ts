// The messages a principal's token signs for the vault: a version, by its author, and the proof
// of presence a role-gated call (reveal, rewrap) asks for. Each starts with its own
// domain-separation line, so a signature made for one can never be replayed as another.
// docs/crypto.md gives them byte for byte; keep the two in step.
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../../shared/domain/plan.ts';

export const VERSION_DOMAIN = 'tessera.version.v1\n';
export const CALL_DOMAIN = 'tessera.call.v1\n';

/** Everything a version's signature covers. */
export interface VersionStatement {
  format: 'tessera.version/v1';
  /** The envelope format tag of the version (tessera.secret.v1). */
  versionFormat: string;
  versionId: string;
  appId: string;
  app: string;
  secretId: string;
  secret: string;
  number: number;
  /** Sorted. */
  keyNames: string[];
  /** SHA-256 (lower-case hex) of nonce ‖ ciphertext. */
  contentDigest: string;
  author: string;
  authorFingerprint: string;
}

export function contentDigest(nonce: Uint8Array, ciphertext: Uint8Array): string {
  return createHash('sha256').update(nonce).update(ciphertext).digest('hex');
}

/** VERSION_DOMAIN ‖ canonical JSON of the statement, UTF-8. */
export function versionMessage(st: VersionStatement): Buffer {
  return Buffer.from(VERSION_DOMAIN + canonicalJson({ ...st, keyNames: [...st.keyNames].sort() }), 'utf8');
}

/** What a principal signs to prove, at the time of a call, that their token is here. */
export interface CallStatement {
  format: 'tessera.call/v1';
  /** The channel, e.g. vault.reveal. */
  call: string;
  subject: string;
  principal: string;
  at: string;
  /** 16 random bytes, hex: no two proofs are the same message. */
  nonce: string;
}

export function callStatement(call: string, subject: string, principal: string): CallStatement {
  return { format: 'tessera.call/v1', call, subject, principal, at: new Date().toISOString(), nonce: randomBytes(16).toString('hex') };
}

/** CALL_DOMAIN ‖ canonical JSON of the statement, UTF-8. */
export function callMessage(st: CallStatement): Buffer {
  return Buffer.from(CALL_DOMAIN + canonicalJson(st), 'utf8');
}
