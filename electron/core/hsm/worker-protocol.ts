// Shapes that cross the boundary between the main thread and a PKCS#11 worker.

export interface RawModuleInfo {
  manufacturer: string;
  description: string;
  libraryVersion: string;
  cryptokiVersion: string;
}

export interface RawTokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  hardwareVersion: string;
  firmwareVersion: string;
  /** Decoded CKF_ token flags by name (loginRequired, protectedAuthenticationPath, userPinFinalTry, …). */
  flags: Record<string, boolean>;
  minPinLength: number;
  maxPinLength: number;
}

export interface RawMechanism {
  type: number;
  name: string;
  /** Every CKM_ name pkcs11js knows for this value (e.g. CKM_EC_KEY_PAIR_GEN = CKM_ECDSA_KEY_PAIR_GEN). */
  aliases: string[];
  minKeySize: number;
  maxKeySize: number;
  flags: string[];
}

export interface RawSlot {
  slotId: string;
  description: string;
  manufacturer: string;
  removable: boolean;
  hardwareSlot: boolean;
  tokenPresent: boolean;
  token: RawTokenInfo | null;
  mechanisms: RawMechanism[];
}

export interface RawKey {
  keyClass: 'private' | 'secret';
  keyType: 'rsa' | 'ec' | 'aes' | 'generic' | 'other';
  /** CKA_ID, hex. */
  id: string;
  label: string;
  decrypt: boolean;
  unwrap: boolean;
  derive: boolean;
  sign: boolean;
  encrypt: boolean;
  wrap: boolean;
  sensitive: boolean;
  extractable: boolean;
  onToken: boolean;
  modulus?: string;
  publicExponent?: string;
  /** DER of the curve OID (CKA_EC_PARAMS), hex. */
  ecParams?: string;
  /** CKA_EC_POINT (usually a DER OCTET STRING around the uncompressed point), hex. */
  ecPoint?: string;
  /** Secret keys: CKA_VALUE_LEN in bytes. */
  valueLength?: number;
}

export type KeyTypeSpec = { kind: 'rsa'; bits: 2048 | 3072 | 4096 } | { kind: 'ec'; curve: 'P-256' | 'P-384' } | { kind: 'aes'; bits: 256 };
