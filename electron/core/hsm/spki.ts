// Public keys from token attributes: SPKI DER/PEM built from CKA_MODULUS/CKA_PUBLIC_EXPONENT or
// CKA_EC_POINT/CKA_EC_PARAMS (through JWK, so node:crypto does the DER), and fingerprints.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { RawKey } from './worker-protocol.ts';

export type Curve = 'P-256' | 'P-384';

const CURVE_BY_PARAMS: Record<string, Curve> = { '06082a8648ce3d030107': 'P-256', '06052b81040022': 'P-384' };
export const CURVE_BYTES: Record<Curve, number> = { 'P-256': 32, 'P-384': 48 };

export function curveFromParams(paramsHex: string | undefined): Curve | null {
  return paramsHex === undefined ? null : (CURVE_BY_PARAMS[paramsHex.toLowerCase()] ?? null);
}

const b64url = (b: Buffer) => b.toString('base64url');

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** CKA_EC_POINT is a DER OCTET STRING around the point on most tokens, the bare point on some. */
export function uncompressedPoint(ecPoint: Buffer, curve: Curve): Buffer {
  const size = 1 + 2 * CURVE_BYTES[curve];
  if (ecPoint.length === size && ecPoint[0] === 0x04) return ecPoint;
  if (ecPoint[0] === 0x04 && ecPoint[1] === size) return ecPoint.subarray(2);
  if (ecPoint[0] === 0x04 && ecPoint[1] === 0x81 && ecPoint[2] === size) return ecPoint.subarray(3);
  throw new TesseraError(
    'MECHANISM_UNSUPPORTED',
    `The token returned an EC public point Tessera cannot read (${ecPoint.length} bytes; only uncompressed points are supported).`,
  );
}

export function ecPublicKey(point: Buffer, curve: Curve): KeyObject {
  const n = CURVE_BYTES[curve];
  return createPublicKey({ key: { kty: 'EC', crv: curve, x: b64url(point.subarray(1, 1 + n)), y: b64url(point.subarray(1 + n)) }, format: 'jwk' });
}

/** The SPKI (DER) of a token key, or null for secret keys and keys without public parts. */
export function spkiFromRawKey(key: RawKey): Buffer | null {
  if (key.keyType === 'rsa' && key.modulus && key.publicExponent) {
    const jwk = { kty: 'RSA', n: b64url(stripZeros(Buffer.from(key.modulus, 'hex'))), e: b64url(stripZeros(Buffer.from(key.publicExponent, 'hex'))) };
    return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  }
  if (key.keyType === 'ec' && key.ecPoint) {
    const curve = curveFromParams(key.ecParams);
    if (!curve) return null;
    return ecPublicKey(uncompressedPoint(Buffer.from(key.ecPoint, 'hex'), curve), curve).export({ type: 'spki', format: 'der' });
  }
  return null;
}

export function spkiPem(spki: Buffer): string {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** Fingerprint of a public-key recipient: SHA-256 over the SPKI DER, lower-case hex. */
export function spkiFingerprint(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * Fingerprint of an AES recipient: SHA-256 over "tessera-aes|" + token serial + "|" + CKA_ID (hex),
 * lower-case hex. The prefix keeps it apart from SPKI fingerprints.
 */
export function aesFingerprint(tokenSerial: string, keyIdHex: string): string {
  return createHash('sha256').update(`tessera-aes|${tokenSerial}|${keyIdHex.toLowerCase()}`).digest('hex');
}

/** Reads a PEM (or DER) public key; RSA ≥ 2048 bits and EC P-256/P-384 only. */
export function parsePublicKey(pemOrDer: string | Buffer): { key: KeyObject; spki: Buffer; kind: 'rsa' | 'ec'; curve?: Curve; bits?: number } {
  let key: KeyObject;
  try {
    key = typeof pemOrDer === 'string' ? createPublicKey(pemOrDer) : createPublicKey({ key: pemOrDer, format: 'der', type: 'spki' });
  } catch {
    throw new TesseraError('INVALID_INPUT', 'The public key is not a PEM or DER SubjectPublicKeyInfo Tessera can read.');
  }
  const spki = key.export({ type: 'spki', format: 'der' });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw new TesseraError('INVALID_INPUT', 'RSA recipients need at least 2048 bits.');
    return { key, spki, kind: 'rsa', bits: details.modulusLength! };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : null;
    if (!curve) throw new TesseraError('MECHANISM_UNSUPPORTED', `EC curve ${details.namedCurve ?? 'unknown'} is not supported; use P-256 or P-384.`);
    return { key, spki, kind: 'ec', curve };
  }
  throw new TesseraError(
    'MECHANISM_UNSUPPORTED',
    `Key type ${key.asymmetricKeyType ?? 'unknown'} cannot be a recipient; use RSA, EC P-256/P-384 or an AES key on a token.`,
  );
}

// ---- ephemeral public keys of ECDH-ES (read on every unwrap) ----

/** The DER prefix of an SPKI holding an uncompressed point on the curve (what node:crypto writes). */
const SPKI_POINT_PREFIX: Record<Curve, Buffer> = {
  'P-256': Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  'P-384': Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'),
};

/** Short Weierstrass parameters (a = -3) of the NIST curves. */
const CURVE_PARAMS: Record<Curve, { p: bigint; b: bigint }> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
};

/** Whether (x, y) is a point of the curve: both coordinates below p and y² = x³ − 3x + b (mod p). Cofactor 1, so on-curve is valid. */
export function isOnCurve(point: Buffer, curve: Curve): boolean {
  const n = CURVE_BYTES[curve];
  if (point.length !== 1 + 2 * n || point[0] !== 0x04) return false;
  const { p, b } = CURVE_PARAMS[curve];
  const x = BigInt(`0x${point.toString('hex', 1, 1 + n)}`);
  const y = BigInt(`0x${point.toString('hex', 1 + n)}`);
  if (x >= p || y >= p) return false;
  const rhs = (((((x * x) % p) * x) % p) - 3n * x + b) % p;
  return (y * y - rhs) % p === 0n;
}

/**
 * The uncompressed point of an EC public key in SPKI DER, checked to lie on `curve`; null when
 * the SPKI is not a valid key on that curve. The common encoding is read directly; anything else
 * goes through node:crypto's full parser.
 */
export function spkiPoint(spki: Buffer, curve: Curve): Buffer | null {
  const prefix = SPKI_POINT_PREFIX[curve];
  const size = 1 + 2 * CURVE_BYTES[curve];
  if (spki.length === prefix.length + size && spki.subarray(0, prefix.length).equals(prefix)) {
    const point = spki.subarray(prefix.length);
    return isOnCurve(point, curve) ? Buffer.from(point) : null;
  }
  let jwk;
  try {
    jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  } catch {
    return null;
  }
  if (jwk.crv !== curve || !jwk.x || !jwk.y) return null;
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return isOnCurve(point, curve) ? point : null;
}
