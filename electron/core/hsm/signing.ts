// Verifying token signatures in software, from the signer's SPKI alone.
import { constants, createPublicKey, verify } from 'node:crypto';
import type { SignatureAlgorithm } from './token-service.ts';

export function verifySignature(spki: Buffer, algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  try {
    switch (algorithm) {
      case 'ecdsa-p256-sha256':
        return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ecdsa-p384-sha384':
        return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' && verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'rsa-pss-sha256':
        return key.asymmetricKeyType === 'rsa' && verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
