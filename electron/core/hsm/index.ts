// The token layer: what the rest of core may use. pkcs11js itself is only loaded inside the
// module workers, which start when a token is first used.
export {
  TokenService,
  type OperationPinSource,
  type TokenServiceOptions,
  type TokenSession,
  type TokenSignature,
  type SignatureAlgorithm,
} from './token-service.ts';
export {
  wrapInSoftware,
  wrapOnToken,
  unwrapOnToken,
  recipientFromPublicKey,
  aesRecipient,
  encodeWrappedKey,
  decodeWrappedKey,
  ecdhEsKek,
  ecdhEsInfo,
  aesKeyWrap,
  aesKeyUnwrap,
  type Recipient,
  type RecipientKind,
  type WrappedKey,
  type WrappedKeyRecord,
  type WrapScheme,
} from './wrapping.ts';
export { verifySignature } from './signing.ts';
export { spkiFingerprint, aesFingerprint, spkiPem, parsePublicKey, type Curve } from './spki.ts';
export { createKeytarKeychain, KEYCHAIN_SERVICE, type PinKeychain } from './keychain.ts';
export { pkcs11Error, type WorkerFailure } from './errors.ts';
export { discoverModules } from './module-discovery.ts';
