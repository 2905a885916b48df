// Shapes that cross the boundary between the main thread and a PKCS#11 worker, and the typed
// operation map both sides share: the worker implements exactly these operations and the caller
// can only send them, with these arguments, and gets these results.

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
  /** CKA_ALWAYS_AUTHENTICATE: every operation with the key needs a context-specific login. */
  alwaysAuthenticate: boolean;
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

/** How keys are listed: one C_GetAttributeValue per key (batched), or one call per attribute (tokens that refuse a batch, and the B4 baseline). */
export type KeyListing = 'batched' | 'per-attribute';

/** An operation on a key: the session and the key's CKA_ID, and the PIN for a context-specific login when the key has CKA_ALWAYS_AUTHENTICATE. */
interface KeyOp {
  session: string;
  keyId: string;
  /** Sent only for a key with CKA_ALWAYS_AUTHENTICATE, for this one operation. */
  contextPin?: string;
}

/** Every worker operation: its arguments and its result. */
export interface WorkerOps {
  init: { args: { path: string }; result: RawModuleInfo };
  /** C_Finalize then C_Initialize again: after a device error or a lost connection. */
  reinit: { args: Record<string, never>; result: RawModuleInfo };
  finalize: { args: Record<string, never>; result: null };
  slots: { args: Record<string, never>; result: RawSlot[] };
  present: { args: { slot: string; serial: string; label: string }; result: boolean };
  tokenInfo: { args: { slot: string }; result: RawTokenInfo };
  openSession: { args: { slot: string }; result: string };
  closeSession: { args: { session: string }; result: null };
  login: { args: { session: string; pin: string | null }; result: null };
  logout: { args: { session: string }; result: null };
  listKeys: { args: { session: string; listing?: KeyListing }; result: RawKey[] };
  generate: { args: { session: string; spec: KeyTypeSpec; label: string }; result: RawKey };
  decryptOaep: { args: KeyOp & { hash: 'sha1' | 'sha256'; data: Uint8Array }; result: Buffer };
  ecdh: { args: KeyOp & { publicPoint: Uint8Array; length: number }; result: Buffer };
  wrapKwp: { args: KeyOp & { dek: Uint8Array }; result: Buffer };
  unwrapKwp: { args: KeyOp & { data: Uint8Array }; result: Buffer };
  gcmEncrypt: { args: KeyOp & { data: Uint8Array; iv: Uint8Array; aad: Uint8Array }; result: Buffer };
  gcmDecrypt: { args: KeyOp & { data: Uint8Array; iv: Uint8Array; aad: Uint8Array }; result: Buffer };
  sign: { args: KeyOp & { scheme: 'ecdsa' | 'rsa-pss-sha256'; data: Uint8Array }; result: Buffer };
}

export type WorkerOp = keyof WorkerOps;
export type OpArgs<K extends WorkerOp> = WorkerOps[K]['args'];
export type OpResult<K extends WorkerOp> = WorkerOps[K]['result'];
/** Operations that run in a logged-in session: the session is added by the token service. */
export type SessionOp = { [K in WorkerOp]: OpArgs<K> extends { session: string } ? K : never }[WorkerOp];
/** A session operation's arguments without the session (and the context PIN, which the token service adds). */
export type SessionOpArgs<K extends SessionOp> = Omit<OpArgs<K>, 'session' | 'contextPin'>;
/** Operations on a key: the key's CKA_ALWAYS_AUTHENTICATE is honoured for these. */
export const KEY_OPS: ReadonlySet<WorkerOp> = new Set<WorkerOp>(['decryptOaep', 'ecdh', 'wrapKwp', 'unwrapKwp', 'gcmEncrypt', 'gcmDecrypt', 'sign']);
