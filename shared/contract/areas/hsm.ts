// Channels about PKCS#11 modules, tokens and keys.
import { z } from 'zod';
import { channel } from '../channel.ts';

export interface Pkcs11ModuleFile {
  path: string;
  /** Which product the well-known path belongs to, or 'configured'. */
  kind: 'softhsm2' | 'opensc' | 'yubihsm' | 'p11-kit' | 'p11-kit-client' | 'tpm2-pkcs11' | 'configured';
  found: boolean;
  /** Why a configured module is unusable (missing file, not a file). */
  problem: string | null;
}

export interface TokenFlags {
  loginRequired: boolean;
  /** A PIN pad or other protected authentication path: log in without sending a PIN. */
  protectedAuthenticationPath: boolean;
  tokenInitialized: boolean;
  userPinInitialized: boolean;
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
  userPinToBeChanged: boolean;
  writeProtected: boolean;
}

export interface TokenMechanism {
  /** CKM_ name, e.g. CKM_RSA_PKCS_OAEP. */
  name: string;
  minKeySize: number;
  maxKeySize: number;
  /** CKF_ flags by name: encrypt, decrypt, sign, verify, wrap, unwrap, derive, generate, … */
  flags: string[];
}

export type TokenLockState = 'locked' | 'unlocked' | 'absent';

/** What a token can do with one key type, read from its mechanisms before any key is made. */
export interface KeyTypeCapability {
  type: KeyType;
  /** The token can generate it, and such a key would be of use (a recipient, a signer, or both). */
  canCreate: boolean;
  /** Such a key can be a vault recipient (RSA-OAEP, ECDH-ES, AES wrap on this token). */
  recipient: boolean;
  /** Such a key can sign (approvals, audit checkpoints). */
  sign: boolean;
  /** One sentence naming the key type and, where it falls short, the missing mechanism or size. */
  reason: string;
}

export interface TokenInfoView {
  label: string;
  manufacturer: string;
  model: string;
  /**
   * How Tessera names this token in every channel (the `tokenSerial` of inputs and events): its
   * serial number where that identifies it, otherwise serial and label (`0000000000000000/tpmtok`),
   * since some modules give every token the same serial.
   */
  serial: string;
  /** The serial number the token reports (CK_TOKEN_INFO.serialNumber). */
  serialNumber: string;
  firmwareVersion: string;
  hardwareVersion: string;
  flags: TokenFlags;
  state: TokenLockState;
  /** Whether a PIN for this token is kept in the OS keychain. */
  pinRemembered: boolean;
  /** When an unlocked token locks itself if it stays idle (RFC 3339), or null when locked. */
  autoLockAt: string | null;
  /** Who unlocked it on this workstation (the acting user), or null when locked. */
  unlockedBy: string | null;
  mechanisms: TokenMechanism[];
  /** Per key type: can it be created here, and would it be a recipient or a signer. */
  keyTypes: KeyTypeCapability[];
  /**
   * A key on this unlocked token needs the PIN for every operation (CKA_ALWAYS_AUTHENTICATE) and
   * an operation is waiting for it: logging in again (hsm.login with the PIN) approves one operation.
   */
  operationPinNeeded: boolean;
}

export interface TokenSlotView {
  slotId: string;
  description: string;
  manufacturer: string;
  removable: boolean;
  token: TokenInfoView | null;
}

export interface TokenModuleView {
  path: string;
  /** Null when the module loaded; otherwise why not, in a sentence. */
  problem: string | null;
  manufacturer: string | null;
  description: string | null;
  libraryVersion: string | null;
  slots: TokenSlotView[];
}

export const KEY_TYPES = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'aes-256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface TokenKeyView {
  tokenSerial: string;
  label: string;
  /** CKA_ID, lower-case hex. */
  keyId: string;
  type: 'rsa' | 'ec' | 'aes' | 'generic' | 'other';
  /** Bits for RSA and AES. */
  size: number | null;
  curve: 'P-256' | 'P-384' | null;
  capabilities: { decrypt: boolean; unwrap: boolean; derive: boolean; sign: boolean; wrap: boolean; encrypt: boolean };
  sensitive: boolean;
  extractable: boolean;
  /** SHA-256 of the SPKI (public keys) or of token serial + CKA_ID (AES), hex. */
  fingerprint: string;
  publicKeyPem: string | null;
  /** CKA_ALWAYS_AUTHENTICATE: every use of the key asks for the PIN again. */
  alwaysAuthenticate: boolean;
}

export interface TokenStateEvent {
  tokenSerial: string;
  label: string;
  state: TokenLockState;
  /** 'reset': the module was re-initialised after a device error or a lost connection; log in again. */
  reason: 'login' | 'logout' | 'idle' | 'removed' | 'shutdown' | 'reset';
}

export interface KeychainStatus {
  tokenSerial: string;
  /** Whether the OS keychain (Secret Service, Keychain, Credential Manager) can be used at all. */
  available: boolean;
  /** Why not, when unavailable or forbidden. */
  reason: string | null;
  policy: 'forbidden' | 'allowed';
  remembered: boolean;
}

const tokenSerial = z.string().min(1, 'must not be empty').max(128, 'is too long');
/** A PIN: the messages never echo the value. */
const pin = z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' }).max(256, { error: 'is too long' });

export const hsmChannels = {
  'hsm.modules': channel<Pkcs11ModuleFile[]>()(z.object({}).strict(), 'PKCS#11 module files found at configured and well-known paths'),
  'hsm.tokens': channel<TokenModuleView[]>()(z.object({}).strict(), 'Loaded PKCS#11 modules, their slots and tokens with flags and lock state'),
  'hsm.login': channel<TokenInfoView>()(
    z.object({ tokenSerial, pin: pin.optional(), remember: z.boolean().optional() }).strict(),
    'Unlock a token with its PIN (or its PIN pad when no PIN is given); on an unlocked token, approve one operation with a key that needs the PIN every time',
  ),
  'hsm.logout': channel<TokenInfoView>()(z.object({ tokenSerial }).strict(), 'Lock a token'),
  'hsm.keys': channel<TokenKeyView[]>()(z.object({ tokenSerial }).strict(), 'Keys on an unlocked token that can unwrap, decrypt, derive or sign'),
  'hsm.generateKey': channel<TokenKeyView>()(
    z.object({ tokenSerial, type: z.enum(KEY_TYPES), label: z.string().min(1, 'must not be empty').max(64, 'is too long') }).strict(),
    'Generate a non-extractable key on an unlocked token',
  ),
  'hsm.keychain': channel<KeychainStatus>()(z.object({ tokenSerial }).strict(), 'Whether a PIN for this token is kept in the OS keychain'),
  'hsm.keychainForget': channel<KeychainStatus>()(z.object({ tokenSerial }).strict(), 'Delete a remembered PIN from the OS keychain'),
};
