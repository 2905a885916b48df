// What the vault needs from the signed chain (electron/core/rollout/trust.ts): which recipients
// a security officer signed, who may write or reveal an app's secrets, which unsigned versions a
// security officer adopted, and a way to sign as a principal. The database's own rows grant nothing.
import type { Role } from '../../../shared/contract/index.ts';
import type { TokenSignature } from '../hsm/index.ts';

/** A recipient as a security officer signed it into the chain. */
export interface RecipientStatement {
  /** The subject: the recipient's fingerprint. */
  name: string;
  fingerprint: string;
  kind: 'rsa-oaep' | 'ecdh-es' | 'aes-kw';
  label: string;
  /** SPKI DER, base64 (RSA and EC); null for AES. */
  spki: string | null;
  curve: 'P-256' | 'P-384' | null;
  oaepHash: 'sha256' | 'sha1' | null;
  aesScheme: 'aes-kwp' | 'aes-gcm' | null;
  tokenSerial: string | null;
  keyId: string | null;
  status: 'active' | 'retired';
}

/** An unsigned version of an existing vault a security officer reviewed and signed once. */
export interface AdoptedVersion {
  versionId: string;
  app: string;
  secret: string;
  number: number;
  /** SHA-256 (hex) of nonce ‖ ciphertext when adopted. */
  contentDigest: string;
}

export interface ChainRecipient {
  statement: RecipientStatement;
  recordSeq: number;
  signedBy: string;
}

export interface ChainPrincipal {
  name: string;
  roles: Role[];
  keyFingerprint: string;
  spkiDer: Buffer;
}

/** The verified chain as the vault sees it. */
export interface VaultTrustView {
  recipients: ReadonlyMap<string, ChainRecipient>;
  principals: ReadonlyMap<string, ChainPrincipal>;
  /** App name → the principals a security officer made its owners. */
  owners: ReadonlyMap<string, { owners: string[]; recordSeq: number; signedBy: string }>;
  adoptedVersions: ReadonlyMap<string, { contentDigest: string; recordSeq: number; signedBy: string }>;
  /** An adopt record exists: from here on, every version must be signed or adopted. */
  adopted: boolean;
}

export interface VaultTrust {
  /** The verified chain; null when the vault has none yet (never bootstrapped). TAMPERED when it does not check out. */
  view(): VaultTrustView | null;
  /** Appends a recipient record signed by `signer` (a security officer); `apply` runs in the same transaction. */
  signRecipient(action: 'recipient.add' | 'recipient.retire', statement: RecipientStatement, signer: string, apply: () => void): Promise<void>;
  /** Signs with the principal's registered key on an unlocked token (TOKEN_LOCKED naming them otherwise). */
  signAs(principal: string, message: Buffer): Promise<TokenSignature>;
}
