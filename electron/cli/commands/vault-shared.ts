// Shared by the vault commands: required options, an optional token unlock, file reading.
import { readFileSync } from 'node:fs';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { CommandContext } from '../command.ts';
import { addRunModules, tokenNames, unlockAllForRun } from './token-shared.ts';

export function required(ctx: CommandContext, name: string): string {
  const v = ctx.values[name];
  if (typeof v !== 'string' || v === '') throw new TesseraError('INVALID_INPUT', `--${name} is required.`, { field: name });
  return v;
}

export function optional(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function list(ctx: CommandContext, name: string): string[] {
  const v = ctx.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Unlocks every --token for this run when given (and loads --module paths). */
export async function unlockIfNamed(ctx: CommandContext): Promise<void> {
  addRunModules(ctx);
  if (tokenNames(ctx).length > 0) await unlockAllForRun(ctx);
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TesseraError('NOT_FOUND', `Cannot read the ${what} "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}
