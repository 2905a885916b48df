// The only place pkcs11js runs: one worker thread per PKCS#11 module, so no PKCS#11 call ever
// blocks the main event loop. Requests arrive as {id, op, args}; replies carry the same id.
// Handles cross the thread boundary as hex strings; secret bytes are zeroed here after posting.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerFailure } from './errors.ts';
import type { KeyListing, KeyTypeSpec, OpArgs, OpResult, RawKey, RawMechanism, RawModuleInfo, RawSlot, RawTokenInfo, WorkerOp } from './worker-protocol.ts';

import type * as Pkcs11js from 'pkcs11js';

type Pkcs11Module = typeof Pkcs11js;
type Handle = Buffer;

const require = createRequire(import.meta.url);
const p = require('pkcs11js') as Pkcs11Module;
const lib = new p.PKCS11();
let initialized = false;

// Reverse maps for names: value → first CKM_/CKR_ name pkcs11js exports.
const names = (prefix: string): Map<number, string> => {
  const map = new Map<number, string>();
  for (const [key, value] of Object.entries(p)) {
    if (key.startsWith(prefix) && typeof value === 'number' && !map.has(value)) map.set(value, key);
  }
  return map;
};
const CKR_NAMES = names('CKR_');
const CKM_NAMES = names('CKM_');
const CKM_ALIASES = new Map<number, string[]>();
for (const [key, value] of Object.entries(p)) {
  if (key.startsWith('CKM_') && typeof value === 'number') CKM_ALIASES.set(value, [...(CKM_ALIASES.get(value) ?? []), key]);
}

// Slot flags and the OAEP source constant (not in pkcs11js's typings).
const CKF_TOKEN_PRESENT = 0x1;
const CKF_REMOVABLE_DEVICE = 0x2;
const CKF_HW_SLOT = 0x4;
const CKZ_DATA_SPECIFIED = 0x1;
type Params = { type: number };

const h = (hex: string): Handle => Buffer.from(hex, 'hex');
// Session handles arrive as hex with every operation; decode each once.
const sessionHandles = new Map<string, Handle>();
const sh = (hex: string): Handle => {
  let handle = sessionHandles.get(hex);
  if (!handle) {
    handle = h(hex);
    sessionHandles.set(hex, handle);
  }
  return handle;
};
const hex = (b: Handle): string => b.toString('hex');
/** A Buffer view on bytes that arrived (transferred) in a message: no copy. */
const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
const trim = (s: string): string => s.replace(/[\s\0]+$/u, '');

class TesseraFailure extends Error {
  readonly failure: WorkerFailure;
  constructor(failure: WorkerFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

function toFailure(error: unknown): WorkerFailure {
  if (error instanceof TesseraFailure) return error.failure;
  if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'number' && error.constructor.name === 'Pkcs11Error') {
    const rv = (error as unknown as { code: number }).code;
    const method = (error as unknown as { method?: string }).method;
    return {
      kind: 'pkcs11',
      rv,
      ckr: CKR_NAMES.get(rv) ?? `CKR_0x${rv.toString(16)}`,
      ...(method ? { method } : {}),
      message: CKR_NAMES.get(rv) ?? String(rv),
    };
  }
  return { kind: 'other', message: error instanceof Error ? error.name : typeof error };
}

// ---- attribute helpers ----

function ulong(b: Buffer): number {
  if (b.length === 8) return Number(b.readBigUInt64LE(0));
  if (b.length === 4) return b.readUInt32LE(0);
  return b.length > 0 ? b.readUIntLE(0, Math.min(b.length, 6)) : 0;
}

function attr(session: Handle, object: Handle, type: number): Buffer | null {
  try {
    const [result] = lib.C_GetAttributeValue(session, object, [{ type }]);
    return result?.value instanceof Buffer ? result.value : null;
  } catch {
    return null;
  }
}

function find(session: Handle, template: { type: number; value?: number | boolean | string | Buffer }[], max = 1000): Handle[] {
  lib.C_FindObjectsInit(session, template);
  try {
    return lib.C_FindObjects(session, max);
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

const keyCache = new Map<string, Handle>();

function keyHandle(sessionHex: string, keyClass: 'private' | 'secret' | 'public', keyId: string): Handle {
  const cacheKey = `${sessionHex}|${keyClass}|${keyId}`;
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const cls = keyClass === 'private' ? p.CKO_PRIVATE_KEY : keyClass === 'secret' ? p.CKO_SECRET_KEY : p.CKO_PUBLIC_KEY;
  const [found] = find(
    h(sessionHex),
    [
      { type: p.CKA_CLASS, value: cls },
      { type: p.CKA_ID, value: h(keyId) },
    ],
    1,
  );
  if (!found) {
    throw new TesseraFailure({
      kind: 'tessera',
      code: 'NOT_FOUND',
      message: `No ${keyClass} key with id ${keyId} on the token. Refresh the key list; if the token is locked, unlock it first (private keys are hidden while locked).`,
    });
  }
  keyCache.set(cacheKey, found);
  return found;
}

function dropSessionCache(sessionHex: string) {
  for (const k of keyCache.keys()) if (k.startsWith(`${sessionHex}|`)) keyCache.delete(k);
  sessionHandles.delete(sessionHex);
}

// ---- info ----

const TOKEN_FLAGS: [string, number][] = [
  ['rng', p.CKF_RNG],
  ['writeProtected', p.CKF_WRITE_PROTECTED],
  ['loginRequired', p.CKF_LOGIN_REQUIRED],
  ['userPinInitialized', p.CKF_USER_PIN_INITIALIZED],
  ['protectedAuthenticationPath', p.CKF_PROTECTED_AUTHENTICATION_PATH],
  ['tokenInitialized', p.CKF_TOKEN_INITIALIZED],
  ['userPinCountLow', p.CKF_USER_PIN_COUNT_LOW],
  ['userPinFinalTry', p.CKF_USER_PIN_FINAL_TRY],
  ['userPinLocked', p.CKF_USER_PIN_LOCKED],
  ['userPinToBeChanged', p.CKF_USER_PIN_TO_BE_CHANGED],
  ['soPinCountLow', p.CKF_SO_PIN_COUNT_LOW],
  ['soPinFinalTry', p.CKF_SO_PIN_FINAL_TRY],
  ['soPinLocked', p.CKF_SO_PIN_LOCKED],
];

const MECH_FLAGS: [string, number][] = [
  ['hw', p.CKF_HW],
  ['encrypt', p.CKF_ENCRYPT],
  ['decrypt', p.CKF_DECRYPT],
  ['digest', p.CKF_DIGEST],
  ['sign', p.CKF_SIGN],
  ['verify', p.CKF_VERIFY],
  ['generate', p.CKF_GENERATE],
  ['generateKeyPair', p.CKF_GENERATE_KEY_PAIR],
  ['wrap', p.CKF_WRAP],
  ['unwrap', p.CKF_UNWRAP],
  ['derive', p.CKF_DERIVE],
];

function tokenInfo(slot: Handle): RawTokenInfo {
  const t = lib.C_GetTokenInfo(slot);
  const flags: Record<string, boolean> = {};
  for (const [name, bit] of TOKEN_FLAGS) flags[name] = (t.flags & bit) !== 0;
  return {
    label: trim(t.label),
    manufacturer: trim(t.manufacturerID),
    model: trim(t.model),
    serial: trim(t.serialNumber),
    hardwareVersion: `${t.hardwareVersion.major}.${t.hardwareVersion.minor}`,
    firmwareVersion: `${t.firmwareVersion.major}.${t.firmwareVersion.minor}`,
    flags,
    minPinLength: t.minPinLen,
    maxPinLength: t.maxPinLen,
  };
}

function mechanisms(slot: Handle): RawMechanism[] {
  const list: RawMechanism[] = [];
  for (const m of lib.C_GetMechanismList(slot)) {
    let info: { minKeySize: number; maxKeySize: number; flags: number } = { minKeySize: 0, maxKeySize: 0, flags: 0 };
    try {
      info = lib.C_GetMechanismInfo(slot, m);
    } catch {
      // Listed but not describable: report it without sizes.
    }
    list.push({
      type: m,
      name: CKM_NAMES.get(m) ?? `CKM_0x${m.toString(16)}`,
      aliases: CKM_ALIASES.get(m) ?? [],
      minKeySize: info.minKeySize,
      maxKeySize: info.maxKeySize,
      flags: MECH_FLAGS.filter(([, bit]) => (info.flags & bit) !== 0).map(([name]) => name),
    });
  }
  return list;
}

function slots(): RawSlot[] {
  return lib.C_GetSlotList(false).map((slot) => {
    const info = lib.C_GetSlotInfo(slot);
    const present = (info.flags & CKF_TOKEN_PRESENT) !== 0;
    let token: RawTokenInfo | null = null;
    let mechs: RawMechanism[] = [];
    if (present) {
      try {
        token = tokenInfo(slot);
        mechs = mechanisms(slot);
      } catch {
        token = null;
      }
    }
    return {
      slotId: hex(slot),
      description: trim(info.slotDescription),
      manufacturer: trim(info.manufacturerID),
      removable: (info.flags & CKF_REMOVABLE_DEVICE) !== 0,
      hardwareSlot: (info.flags & CKF_HW_SLOT) !== 0,
      tokenPresent: present && token !== null,
      token,
      mechanisms: mechs,
    };
  });
}

// ---- keys ----

const KEY_TYPE_NAMES = new Map<number, RawKey['keyType']>([
  [p.CKK_RSA, 'rsa'],
  [p.CKK_EC, 'ec'],
  [p.CKK_AES, 'aes'],
  [p.CKK_GENERIC_SECRET, 'generic'],
]);

/** The attributes read per key class and type, in one C_GetAttributeValue call per key. */
const COMMON_ATTRS = [p.CKA_ID, p.CKA_LABEL, p.CKA_DECRYPT, p.CKA_UNWRAP, p.CKA_DERIVE, p.CKA_SIGN, p.CKA_SENSITIVE, p.CKA_EXTRACTABLE, p.CKA_TOKEN];
const TEMPLATES: Record<'rsa' | 'ec' | 'aes', number[]> = {
  rsa: [...COMMON_ATTRS, p.CKA_ALWAYS_AUTHENTICATE, p.CKA_MODULUS, p.CKA_PUBLIC_EXPONENT],
  ec: [...COMMON_ATTRS, p.CKA_ALWAYS_AUTHENTICATE, p.CKA_EC_PARAMS],
  aes: [...COMMON_ATTRS, p.CKA_ENCRYPT, p.CKA_WRAP, p.CKA_VALUE_LEN],
};

/** All attributes of the template in one call; null when the token refuses the batch (one attribute it does not know fails the whole call). */
function attrs(session: Handle, object: Handle, types: number[]): Map<number, Buffer> | null {
  try {
    const out = new Map<number, Buffer>();
    for (const a of lib.C_GetAttributeValue(
      session,
      object,
      types.map((type) => ({ type })),
    )) {
      if (a.value instanceof Buffer) out.set(a.type, a.value);
    }
    return out;
  } catch {
    return null;
  }
}

function keyFromAttrs(keyClass: 'private' | 'secret', keyType: RawKey['keyType'], get: (t: number) => Buffer | null): RawKey {
  const bool = (t: number) => (get(t)?.[0] ?? 0) !== 0;
  const key: RawKey = {
    keyClass,
    keyType,
    id: hex(get(p.CKA_ID) ?? Buffer.alloc(0)),
    label: (get(p.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
    decrypt: bool(p.CKA_DECRYPT),
    unwrap: bool(p.CKA_UNWRAP),
    derive: bool(p.CKA_DERIVE),
    sign: bool(p.CKA_SIGN),
    encrypt: keyClass === 'secret' && bool(p.CKA_ENCRYPT),
    wrap: keyClass === 'secret' && bool(p.CKA_WRAP),
    sensitive: bool(p.CKA_SENSITIVE),
    extractable: bool(p.CKA_EXTRACTABLE),
    onToken: bool(p.CKA_TOKEN),
    alwaysAuthenticate: keyClass === 'private' && bool(p.CKA_ALWAYS_AUTHENTICATE),
  };
  const modulus = get(p.CKA_MODULUS);
  const exponent = get(p.CKA_PUBLIC_EXPONENT);
  const params = get(p.CKA_EC_PARAMS);
  const len = get(p.CKA_VALUE_LEN);
  if (keyType === 'rsa' && modulus) key.modulus = modulus.toString('hex');
  if (keyType === 'rsa' && exponent) key.publicExponent = exponent.toString('hex');
  if (keyType === 'ec' && params) key.ecParams = params.toString('hex');
  if (keyType !== 'rsa' && keyType !== 'ec' && len) key.valueLength = ulong(len);
  return key;
}

const findPublic = (session: Handle, id: Buffer): Handle | undefined =>
  find(
    session,
    [
      { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
      { type: p.CKA_ID, value: id },
    ],
    1,
  )[0];

/** One attribute per call: for tokens that refuse a batch, and as the B4 baseline ("before batching"). */
function describeKeyPerAttribute(session: Handle, object: Handle, keyClass: 'private' | 'secret'): RawKey {
  const typeBuf = attr(session, object, p.CKA_KEY_TYPE);
  const keyType = typeBuf ? (KEY_TYPE_NAMES.get(ulong(typeBuf)) ?? 'other') : 'other';
  const wanted = keyType === 'rsa' || keyType === 'ec' ? TEMPLATES[keyType] : TEMPLATES.aes;
  const values = new Map<number, Buffer | null>();
  for (const t of wanted) if (keyClass === 'private' || (t !== p.CKA_MODULUS && t !== p.CKA_EC_PARAMS)) values.set(t, attr(session, object, t));
  const key = keyFromAttrs(keyClass, keyType, (t) => values.get(t) ?? null);
  completePublicParts(session, key, Buffer.from(key.id, 'hex'), true);
  return key;
}

/** RSA parts a private key does not show, and the EC point (kept on the public key). */
function completePublicParts(session: Handle, key: RawKey, id: Buffer, perAttribute: boolean) {
  if (key.keyType === 'rsa' && (!key.modulus || !key.publicExponent)) {
    const pub = findPublic(session, id);
    if (!pub) return;
    const got = perAttribute ? null : attrs(session, pub, [p.CKA_MODULUS, p.CKA_PUBLIC_EXPONENT]);
    const modulus = got ? got.get(p.CKA_MODULUS) : attr(session, pub, p.CKA_MODULUS);
    const exponent = got ? got.get(p.CKA_PUBLIC_EXPONENT) : attr(session, pub, p.CKA_PUBLIC_EXPONENT);
    if (modulus) key.modulus = modulus.toString('hex');
    if (exponent) key.publicExponent = exponent.toString('hex');
  } else if (key.keyType === 'ec' && !key.ecPoint) {
    const pub = findPublic(session, id);
    const point = pub ? attr(session, pub, p.CKA_EC_POINT) : null;
    if (point) key.ecPoint = point.toString('hex');
  }
}

/** A key's attributes in one C_GetAttributeValue (per-attribute when the token refuses the batch). */
function describeKey(session: Handle, object: Handle, keyClass: 'private' | 'secret', keyType?: 'rsa' | 'ec' | 'aes'): RawKey {
  if (!keyType) return describeKeyPerAttribute(session, object, keyClass);
  const got = attrs(session, object, TEMPLATES[keyType]);
  if (!got) return describeKeyPerAttribute(session, object, keyClass);
  const key = keyFromAttrs(keyClass, keyType, (t) => got.get(t) ?? null);
  completePublicParts(session, key, got.get(p.CKA_ID) ?? Buffer.alloc(0), false);
  return key;
}

function listKeys(sessionHex: string, listing: KeyListing): RawKey[] {
  const session = h(sessionHex);
  const keys: RawKey[] = [];
  const remember = (key: RawKey, object: Handle) => {
    keyCache.set(`${sessionHex}|${key.keyClass}|${key.id}`, object);
    keys.push(key);
  };
  if (listing === 'per-attribute') {
    for (const object of find(session, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }]))
      remember(describeKeyPerAttribute(session, object, 'private'), object);
    for (const object of find(session, [
      { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
      { type: p.CKA_TOKEN, value: true },
    ]))
      remember(describeKeyPerAttribute(session, object, 'secret'), object);
    return keys;
  }
  // One search per key type, so each key's attributes are known up front and read in one call.
  for (const keyType of ['rsa', 'ec'] as const) {
    const objects = find(session, [
      { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
      { type: p.CKA_KEY_TYPE, value: keyType === 'rsa' ? p.CKK_RSA : p.CKK_EC },
    ]);
    // EC points sit on the public keys: one search for all of them, one read each.
    const points = new Map<string, string>();
    if (keyType === 'ec' && objects.length > 0) {
      for (const pub of find(session, [
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_EC },
      ])) {
        const got = attrs(session, pub, [p.CKA_ID, p.CKA_EC_POINT]);
        const id = got?.get(p.CKA_ID);
        const point = got?.get(p.CKA_EC_POINT);
        if (id && point && !points.has(hex(id))) points.set(hex(id), point.toString('hex'));
      }
    }
    for (const object of objects) {
      const got = attrs(session, object, TEMPLATES[keyType]);
      if (!got) {
        remember(describeKeyPerAttribute(session, object, 'private'), object);
        continue;
      }
      const key = keyFromAttrs('private', keyType, (t) => got.get(t) ?? null);
      const point = points.get(key.id);
      if (point) key.ecPoint = point;
      completePublicParts(session, key, got.get(p.CKA_ID) ?? Buffer.alloc(0), false);
      remember(key, object);
    }
  }
  for (const object of find(session, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
  ]))
    remember(describeKey(session, object, 'secret', 'aes'), object);
  return keys;
}

const CURVE_OIDS: Record<string, string> = { 'P-256': '06082a8648ce3d030107', 'P-384': '06052b81040022' };

function generate(sessionHex: string, spec: KeyTypeSpec, label: string): RawKey {
  const session = h(sessionHex);
  const id = randomBytes(16);
  const common = [
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_LABEL, value: label },
    { type: p.CKA_ID, value: id },
  ];
  const secretAttrs = [
    { type: p.CKA_PRIVATE, value: true },
    { type: p.CKA_SENSITIVE, value: true },
    { type: p.CKA_EXTRACTABLE, value: false },
  ];
  if (spec.kind === 'aes') {
    const key = lib.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
      { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
      { type: p.CKA_VALUE_LEN, value: spec.bits / 8 },
      ...common,
      ...secretAttrs,
      { type: p.CKA_ENCRYPT, value: true },
      { type: p.CKA_DECRYPT, value: true },
      { type: p.CKA_WRAP, value: true },
      { type: p.CKA_UNWRAP, value: true },
    ]);
    return describeKey(session, key, 'secret', 'aes');
  }
  if (spec.kind === 'rsa') {
    const pair = lib.C_GenerateKeyPair(
      session,
      { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN },
      [
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
        ...common,
        { type: p.CKA_PRIVATE, value: false },
        { type: p.CKA_MODULUS_BITS, value: spec.bits },
        { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        { type: p.CKA_ENCRYPT, value: true },
        { type: p.CKA_WRAP, value: true },
        { type: p.CKA_VERIFY, value: true },
      ],
      [
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
        ...common,
        ...secretAttrs,
        { type: p.CKA_DECRYPT, value: true },
        { type: p.CKA_UNWRAP, value: true },
        { type: p.CKA_SIGN, value: true },
      ],
    );
    return describeKey(session, pair.privateKey, 'private', 'rsa');
  }
  const pair = lib.C_GenerateKeyPair(
    session,
    { mechanism: p.CKM_EC_KEY_PAIR_GEN },
    [
      { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_EC },
      ...common,
      { type: p.CKA_PRIVATE, value: false },
      { type: p.CKA_EC_PARAMS, value: Buffer.from(CURVE_OIDS[spec.curve]!, 'hex') },
      { type: p.CKA_VERIFY, value: true },
    ],
    [
      { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_EC },
      ...common,
      ...secretAttrs,
      { type: p.CKA_DERIVE, value: true },
      { type: p.CKA_SIGN, value: true },
    ],
  );
  return describeKey(session, pair.privateKey, 'private', 'ec');
}

// ---- crypto ----

const HASHES = {
  sha1: { hash: () => p.CKM_SHA_1, mgf: () => p.CKG_MGF1_SHA1 },
  sha256: { hash: () => p.CKM_SHA256, mgf: () => p.CKG_MGF1_SHA256 },
} as const;

/** Reads a session secret's value and destroys the object, whatever happens. */
function readAndDestroy(session: Handle, object: Handle): Buffer {
  try {
    const value = attr(session, object, p.CKA_VALUE);
    if (!value)
      throw new TesseraFailure({
        kind: 'tessera',
        code: 'MECHANISM_UNSUPPORTED',
        message: 'The token did not release the derived secret (CKA_VALUE). It must allow an extractable, non-sensitive session secret.',
      });
    return value;
  } finally {
    try {
      lib.C_DestroyObject(session, object);
    } catch {
      // Session objects vanish with the session anyway.
    }
  }
}

const EPHEMERAL_BASE = [
  { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
  { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
  { type: p.CKA_TOKEN, value: false },
  { type: p.CKA_PRIVATE, value: true },
  { type: p.CKA_SENSITIVE, value: false },
  { type: p.CKA_EXTRACTABLE, value: true },
];
// Templates are built once per length, not per operation.
const ephemeralTemplates = new Map<number, typeof EPHEMERAL_BASE>();
const EPHEMERAL_SECRET = (len?: number) => {
  if (len === undefined) return EPHEMERAL_BASE;
  let t = ephemeralTemplates.get(len);
  if (!t) {
    t = [...EPHEMERAL_BASE, { type: p.CKA_VALUE_LEN, value: len }];
    ephemeralTemplates.set(len, t);
  }
  return t;
};
const KWP = { mechanism: p.CKM_AES_KEY_WRAP_PAD };
const ECDSA = { mechanism: p.CKM_ECDSA };
const RSA_PSS_SHA256 = {
  mechanism: p.CKM_SHA256_RSA_PKCS_PSS,
  parameter: { type: p.CK_PARAMS_RSA_PSS, hashAlg: p.CKM_SHA256, mgf: p.CKG_MGF1_SHA256, saltLen: 32 },
};

/** After C_*Init on a key with CKA_ALWAYS_AUTHENTICATE: the context-specific login for this one operation. */
function contextLogin(session: Handle, pin: string | undefined, end?: () => void) {
  if (pin === undefined) return;
  try {
    lib.C_Login(session, p.CKU_CONTEXT_SPECIFIC, pin);
  } catch (error) {
    // A refused login leaves the initialised operation active; a failing call ends it (PKCS#11 2.40 has no cancel).
    try {
      end?.();
    } catch {
      // expected: the call fails, and that ends the operation
    }
    throw error;
  }
}

function initialize(): RawModuleInfo {
  try {
    lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
  } catch (error) {
    const f = toFailure(error);
    if (f.ckr !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw error;
  }
  initialized = true;
  const info = lib.C_GetInfo();
  return {
    manufacturer: trim(info.manufacturerID),
    description: trim(info.libraryDescription),
    libraryVersion: `${info.libraryVersion.major}.${info.libraryVersion.minor}`,
    cryptokiVersion: `${info.cryptokiVersion.major}.${info.cryptokiVersion.minor}`,
  };
}

function forgetSessions() {
  keyCache.clear();
  sessionHandles.clear();
}

/** The worker's side of the operation map in worker-protocol.ts: one function per operation. */
const ops: { [K in WorkerOp]: (args: OpArgs<K>) => OpResult<K> } = {
  init({ path }) {
    try {
      lib.load(path);
    } catch (error) {
      throw new TesseraFailure({
        kind: 'load',
        message: error instanceof Error ? error.message.replace(/^.*?:\s*(?=cannot|undefined symbol|invalid ELF|file too short)/u, '') : 'unknown reason',
      });
    }
    return initialize();
  },
  reinit() {
    // Every session and handle of the old connection is void; the library stays loaded.
    forgetSessions();
    if (initialized) {
      initialized = false;
      try {
        lib.C_Finalize();
      } catch {
        // A module that lost its device or connection may refuse to finalise cleanly.
      }
    }
    return initialize();
  },
  finalize() {
    if (!initialized) return null;
    initialized = false;
    forgetSessions();
    try {
      lib.C_Finalize();
    } finally {
      lib.close();
    }
    return null;
  },
  slots,
  present({ slot, serial, label }) {
    const present = lib.C_GetSlotList(true).some((s) => hex(s) === slot);
    if (!present) return false;
    try {
      const info = tokenInfo(h(slot));
      return info.serial === serial && info.label === label;
    } catch {
      return false;
    }
  },
  tokenInfo: ({ slot }) => tokenInfo(h(slot)),
  openSession: ({ slot }) => hex(lib.C_OpenSession(h(slot), p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION)),
  closeSession({ session }) {
    dropSessionCache(session);
    lib.C_CloseSession(h(session));
    return null;
  },
  login({ session, pin }) {
    if (pin === null) lib.C_Login(h(session), p.CKU_USER);
    else lib.C_Login(h(session), p.CKU_USER, pin);
    return null;
  },
  logout({ session }) {
    dropSessionCache(session);
    lib.C_Logout(h(session));
    return null;
  },
  listKeys: ({ session, listing }) => listKeys(session, listing ?? 'batched'),
  generate: ({ session, spec, label }) => generate(session, spec, label),
  decryptOaep({ session, keyId, hash, data, contextPin }) {
    const s = sh(session);
    const key = keyHandle(session, 'private', keyId);
    lib.C_DecryptInit(
      s,
      {
        mechanism: p.CKM_RSA_PKCS_OAEP,
        parameter: { type: p.CK_PARAMS_RSA_OAEP, hashAlg: HASHES[hash].hash(), mgf: HASHES[hash].mgf(), source: CKZ_DATA_SPECIFIED } as Params,
      },
      key,
    );
    contextLogin(s, contextPin, () => lib.C_Decrypt(s, asBuffer(data), Buffer.alloc(data.length)));
    return lib.C_Decrypt(s, asBuffer(data), Buffer.alloc(data.length));
  },
  ecdh({ session, keyId, publicPoint, length, contextPin }) {
    const s = sh(session);
    const key = keyHandle(session, 'private', keyId);
    // Derivation has no *Init step: the context-specific login comes right before it.
    contextLogin(s, contextPin);
    const derived = lib.C_DeriveKey(
      s,
      { mechanism: p.CKM_ECDH1_DERIVE, parameter: { type: p.CK_PARAMS_EC_DH, kdf: p.CKD_NULL, publicData: asBuffer(publicPoint) } as Params },
      key,
      EPHEMERAL_SECRET(length),
    );
    return readAndDestroy(s, derived);
  },
  wrapKwp({ session, keyId, dek }) {
    const s = sh(session);
    const kek = keyHandle(session, 'secret', keyId);
    const value = Buffer.from(dek);
    let object: Handle | null = null;
    try {
      object = lib.C_CreateObject(s, [...EPHEMERAL_SECRET(), { type: p.CKA_VALUE, value }]);
      return lib.C_WrapKey(s, KWP, kek, object, Buffer.alloc(value.length + 16));
    } finally {
      value.fill(0);
      if (object) lib.C_DestroyObject(s, object);
    }
  },
  unwrapKwp({ session, keyId, data }) {
    const s = sh(session);
    const kek = keyHandle(session, 'secret', keyId);
    const object = lib.C_UnwrapKey(s, KWP, kek, asBuffer(data), EPHEMERAL_SECRET());
    return readAndDestroy(s, object);
  },
  gcmEncrypt({ session, keyId, data, iv, aad }) {
    const s = sh(session);
    const key = keyHandle(session, 'secret', keyId);
    const input = Buffer.from(data);
    try {
      lib.C_EncryptInit(
        s,
        {
          mechanism: p.CKM_AES_GCM,
          parameter: { type: p.CK_PARAMS_AES_GCM, iv: Buffer.from(iv), aad: Buffer.from(aad), ivBits: iv.length * 8, tagBits: 128 } as Params,
        },
        key,
      );
      return lib.C_Encrypt(s, input, Buffer.alloc(input.length + 16));
    } finally {
      input.fill(0);
    }
  },
  gcmDecrypt({ session, keyId, data, iv, aad }) {
    const s = sh(session);
    const key = keyHandle(session, 'secret', keyId);
    lib.C_DecryptInit(
      s,
      {
        mechanism: p.CKM_AES_GCM,
        parameter: { type: p.CK_PARAMS_AES_GCM, iv: Buffer.from(iv), aad: Buffer.from(aad), ivBits: iv.length * 8, tagBits: 128 } as Params,
      },
      key,
    );
    return lib.C_Decrypt(s, Buffer.from(data), Buffer.alloc(data.length));
  },
  sign({ session, keyId, scheme, data, contextPin }) {
    const s = sh(session);
    const key = keyHandle(session, 'private', keyId);
    lib.C_SignInit(s, scheme === 'ecdsa' ? ECDSA : RSA_PSS_SHA256, key);
    contextLogin(s, contextPin, () => lib.C_Sign(s, asBuffer(data), Buffer.alloc(1024)));
    return lib.C_Sign(s, asBuffer(data), Buffer.alloc(1024));
  },
};

const port = parentPort;
if (!port) throw new Error('pkcs11-worker must run in a worker thread');
void workerData;

port.on('message', (message: { id: number; op: string; args: Record<string, unknown> | undefined }) => {
  const { id, op, args } = message;
  const fn = ops[op as WorkerOp] as ((args: unknown) => unknown) | undefined;
  try {
    if (!fn) throw new TesseraFailure({ kind: 'tessera', code: 'INTERNAL', message: `Unknown worker operation ${op}.` });
    const value = fn(args ?? {});
    if (value instanceof Uint8Array) {
      // Bytes go back in an exact-size ArrayBuffer that is transferred, not cloned (a clone would
      // copy the whole backing store, e.g. a pooled slab); the worker keeps no copy of a secret.
      const out = new Uint8Array(value.byteLength);
      out.set(value);
      value.fill(0);
      port.postMessage({ id, ok: true, value: out }, [out.buffer]);
    } else port.postMessage({ id, ok: true, value });
  } catch (error) {
    port.postMessage({ id, ok: false, failure: toFailure(error) });
  } finally {
    for (const key of ['dek', 'data'] as const) {
      const v = args?.[key];
      if (v instanceof Uint8Array && (op === 'wrapKwp' || op === 'gcmEncrypt')) v.fill(0);
    }
  }
});
