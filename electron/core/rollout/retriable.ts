// Which unmet steps the reconciler retries by itself: errors that time or a returning cluster can
// cure. Anything else (FORBIDDEN, CONFLICT, INVALID_INPUT, TAMPERED…) waits for a person.
import type { ContractError, StepState } from '../../../shared/contract/index.ts';

const RETRIABLE = new Set(['UNREACHABLE', 'TIMEOUT', 'UNAVAILABLE', 'CANCELLED', 'TOKEN_LOCKED', 'TOKEN_ABSENT', 'INTERNAL']);

export function isRetriable(step: { state: StepState; error: ContractError | null }): boolean {
  return step.state !== 'failed' || step.error === null || RETRIABLE.has(step.error.code);
}
