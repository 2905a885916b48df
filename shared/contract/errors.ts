// The closed list of error codes that may cross the boundary, and the error type services throw.
// Every failure a user can meet maps to one of these codes and a sentence they can act on.

export const ERROR_CODES = [
  'PIN_INCORRECT',
  'PIN_LOCKED',
  'TOKEN_LOCKED',
  'TOKEN_ABSENT',
  'MECHANISM_UNSUPPORTED',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNREACHABLE',
  'INVALID_INPUT',
  'APPROVAL_REQUIRED',
  'TAMPERED',
  'UNAUTHORIZED',
  'CANCELLED',
  'TIMEOUT',
  'UNAVAILABLE',
  'DEVICE_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  code: ErrorCode;
  /** A sentence a security officer or operator can act on. Never holds a secret value or PIN. */
  message: string;
  /** For INVALID_INPUT: the dotted path of the offending field. */
  field?: string;
  /** Machine-readable extras (e.g. the record a TAMPERED error names). */
  details?: Record<string, string | number | boolean>;
}

/** The error services throw; the dispatcher turns it into an envelope. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, string | number | boolean> | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; details?: Record<string, string | number | boolean>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  toContract(): ContractError {
    const error: ContractError = { code: this.code, message: this.message };
    if (this.field !== undefined) error.field = this.field;
    if (this.details !== undefined) error.details = this.details;
    return error;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
