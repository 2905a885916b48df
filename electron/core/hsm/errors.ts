// Maps PKCS#11 return values (CKR_*) to contract error codes with a sentence a security
// officer can act on. The worker reports failures by CKR name; nothing here loads pkcs11js.
import { TesseraError, type ErrorCode } from '../../../shared/contract/index.ts';

/** A failure as the worker reports it across the thread boundary. */
export interface WorkerFailure {
  /** 'pkcs11' for a CKR_ return value, 'load' for a library that could not be loaded, 'tessera' for a TesseraError raised in the worker, 'other' otherwise. */
  kind: 'pkcs11' | 'load' | 'tessera' | 'other';
  /** CKR_ name, e.g. CKR_PIN_INCORRECT (kind 'pkcs11'). */
  ckr?: string;
  /** Numeric CKR_ value. */
  rv?: number;
  /** The PKCS#11 function that failed, e.g. C_Login. */
  method?: string;
  /** For 'tessera': the contract code. */
  code?: ErrorCode;
  /** Never holds a PIN: worker messages are built from CKR names and library loader texts only. */
  message: string;
}

export interface MapContext {
  /** The token's label or serial, for the sentence. */
  token?: string;
  /** The mechanism being used, for MECHANISM_UNSUPPORTED. */
  mechanism?: string;
  /** From the token's flags after a failed login: the next wrong PIN locks the token. */
  finalTry?: boolean;
  /** The token is known to have been removed. */
  removed?: boolean;
}

const REMOVED = new Set(['CKR_TOKEN_NOT_PRESENT', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_RECOGNIZED', 'CKR_SLOT_ID_INVALID']);
const MECHANISM = new Set([
  'CKR_MECHANISM_INVALID',
  'CKR_MECHANISM_PARAM_INVALID',
  'CKR_KEY_TYPE_INCONSISTENT',
  'CKR_KEY_FUNCTION_NOT_PERMITTED',
  'CKR_ARGUMENTS_BAD',
  'CKR_TEMPLATE_INCONSISTENT',
  'CKR_KEY_SIZE_RANGE',
  'CKR_DOMAIN_PARAMS_INVALID',
  'CKR_CURVE_NOT_SUPPORTED',
  'CKR_WRAPPING_KEY_TYPE_INCONSISTENT',
  'CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT',
  'CKR_KEY_NOT_WRAPPABLE',
  'CKR_KEY_UNEXTRACTABLE',
]);
const TAMPERED = new Set([
  'CKR_ENCRYPTED_DATA_INVALID',
  'CKR_ENCRYPTED_DATA_LEN_RANGE',
  'CKR_WRAPPED_KEY_INVALID',
  'CKR_WRAPPED_KEY_LEN_RANGE',
  'CKR_SIGNATURE_INVALID',
  'CKR_SIGNATURE_LEN_RANGE',
  'CKR_AEAD_DECRYPT_FAILED',
]);
const DEVICE = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_HOST_MEMORY',
  'CKR_GENERAL_ERROR',
  'CKR_FUNCTION_FAILED',
  'CKR_TOKEN_WRITE_PROTECTED',
  'CKR_SESSION_COUNT',
  'CKR_SESSION_READ_ONLY',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_FIPS_SELF_TEST_FAILED',
  'CKR_LIBRARY_LOAD_FAILED',
]);

export function pkcs11Error(failure: WorkerFailure, context: MapContext = {}): TesseraError {
  const token = context.token === undefined ? 'the token' : `token "${context.token}"`;
  const details: Record<string, string> = {};
  if (failure.ckr) details.ckr = failure.ckr;
  if (failure.method) details.function = failure.method;
  const make = (code: ErrorCode, message: string) => new TesseraError(code, message, { details });

  if (failure.kind === 'tessera' && failure.code) return make(failure.code, failure.message);
  if (failure.kind === 'load') {
    return make(
      'UNAVAILABLE',
      `The PKCS#11 module could not be loaded (${failure.message}). Check the path in Settings → PKCS#11 modules and that it is the vendor's PKCS#11 library for this OS and CPU.`,
    );
  }
  if (failure.kind !== 'pkcs11' || !failure.ckr) {
    return make(
      'DEVICE_ERROR',
      `The PKCS#11 module failed unexpectedly${failure.method ? ` in ${failure.method}` : ''}. Retry; if it persists, reconnect ${token}.`,
    );
  }
  const ckr = failure.ckr;
  const fn = failure.method ? ` (${failure.method})` : '';
  if (ckr === 'CKR_PIN_INCORRECT') {
    return make(
      'PIN_INCORRECT',
      context.finalTry
        ? `The PIN for ${token} is wrong. This was not the last try, but the next wrong PIN is: a further mistake locks the token and only its security officer can unlock it.`
        : `The PIN for ${token} is wrong. Check it and try again; repeated mistakes lock the token.`,
    );
  }
  if (ckr === 'CKR_PIN_LOCKED' || ckr === 'CKR_PIN_EXPIRED') {
    return make(
      'PIN_LOCKED',
      `The user PIN of ${token} is locked${ckr === 'CKR_PIN_EXPIRED' ? ' (expired)' : ''}. The token's security officer must reset it before it can be used.`,
    );
  }
  if (ckr === 'CKR_PIN_LEN_RANGE' || ckr === 'CKR_PIN_INVALID') {
    return make('PIN_INCORRECT', `The PIN for ${token} has a length or characters the token does not accept. Check it and try again.`);
  }
  if (ckr === 'CKR_USER_NOT_LOGGED_IN') return make('TOKEN_LOCKED', `${cap(token)} is locked. Unlock it with its PIN and retry.`);
  if (ckr === 'CKR_USER_ALREADY_LOGGED_IN' || ckr === 'CKR_USER_ANOTHER_ALREADY_LOGGED_IN') {
    return make('CONFLICT', `${cap(token)} is already unlocked by this or another user. Lock it first if you want to unlock as someone else.`);
  }
  if (ckr === 'CKR_USER_PIN_NOT_INITIALIZED') return make('PIN_LOCKED', `${cap(token)} has no user PIN yet. Its security officer must set one first.`);
  if (REMOVED.has(ckr) || ((ckr === 'CKR_SESSION_HANDLE_INVALID' || ckr === 'CKR_SESSION_CLOSED') && context.removed)) {
    return make('TOKEN_ABSENT', `${cap(token)} is not present. Insert it (or reconnect the HSM) and unlock it again.`);
  }
  if (ckr === 'CKR_SESSION_HANDLE_INVALID' || ckr === 'CKR_SESSION_CLOSED') {
    return make('TOKEN_LOCKED', `The session with ${token} was closed${fn}. Unlock the token again and retry.`);
  }
  if (ckr === 'CKR_FUNCTION_NOT_SUPPORTED')
    return make('MECHANISM_UNSUPPORTED', `${cap(token)} does not support the function${fn} this operation needs. Use a key on a token that does.`);
  if (MECHANISM.has(ckr)) {
    const what = context.mechanism ? `mechanism ${context.mechanism}` : 'the mechanism or parameters this operation needs';
    return make('MECHANISM_UNSUPPORTED', `${cap(token)} refused ${what} (${ckr}). Use a key type and scheme the token lists as supported.`);
  }
  if (TAMPERED.has(ckr))
    return make('TAMPERED', `${cap(token)} rejected the wrapped data as invalid (${ckr}): it was changed, damaged, or wrapped for another key.`);
  if (ckr === 'CKR_KEY_HANDLE_INVALID' || ckr === 'CKR_OBJECT_HANDLE_INVALID')
    return make('NOT_FOUND', `The key is no longer on ${token}${fn}. Refresh the key list.`);
  if (ckr === 'CKR_TOKEN_NOT_RECOGNIZED' || ckr === 'CKR_DEVICE_REMOVED') return make('TOKEN_ABSENT', `${cap(token)} is not present.`);
  if (ckr === 'CKR_OPERATION_ACTIVE' || ckr === 'CKR_SESSION_EXISTS' || ckr === 'CKR_CRYPTOKI_ALREADY_INITIALIZED')
    return make('CONFLICT', `${cap(token)} is busy with another operation (${ckr}). Retry in a moment.`);
  if (ckr === 'CKR_CANCEL' || ckr === 'CKR_FUNCTION_CANCELED') return make('CANCELLED', `The operation on ${token} was cancelled.`);
  if (ckr === 'CKR_TOKEN_WRITE_PROTECTED') return make('FORBIDDEN', `${cap(token)} is write-protected; keys cannot be created on it.`);
  if (DEVICE.has(ckr))
    return make(
      'DEVICE_ERROR',
      `${cap(token)} reported a device error (${ckr}${fn}). Reconnect it and retry; if it persists, check the token with its vendor's tools.`,
    );
  return make('DEVICE_ERROR', `${cap(token)} refused the operation (${ckr}${fn}). Retry; if it persists, check the token with its vendor's tools.`);
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
