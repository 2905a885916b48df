// The result envelope every channel returns, on both transports.
import type { ContractError } from './errors.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: ContractError): Result<T> {
  return { ok: false, error };
}
