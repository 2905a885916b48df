// Shared by the token and key commands: --module (repeatable, for this run only), finding a
// token by label, and unlocking it for this run with a PIN from a no-echo prompt or --pin-env.
import { TesseraError, type TokenInfoView } from '../../../shared/contract/index.ts';
import type { CommandContext, OptionSpec } from '../command.ts';
import { call } from '../output.ts';
import { takeSecretVariable } from '../../core/child-env.ts';

export const MODULE_OPTIONS: OptionSpec = {
  module: { type: 'string', multiple: true },
};

/** --token and --pin-env, repeatable in pairs: `--token a --pin-env A_PIN --token b --pin-env B_PIN`. */
export const LOGIN_OPTIONS: OptionSpec = {
  token: { type: 'string', multiple: true },
  'pin-env': { type: 'string', multiple: true },
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The tokens named with --token, in order. */
export function tokenNames(ctx: CommandContext): string[] {
  return strings(ctx.values.token).filter((t) => t !== '');
}

/** Adds the --module paths to this run's token layer. */
export function addRunModules(ctx: CommandContext): void {
  const modules = ctx.values.module;
  const list = Array.isArray(modules) ? modules : typeof modules === 'string' ? [modules] : [];
  for (const path of list) ctx.core().services.tokens().addModule(path);
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new TesseraError('CANCELLED', 'PIN entry cancelled.'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Finds the token named by --token (label or serial) and unlocks it for this run; with several --token, unlocks all and returns the first. */
export async function unlockForRun(ctx: CommandContext): Promise<TokenInfoView> {
  const [first] = await unlockAllForRun(ctx);
  if (!first) throw new TesseraError('INVALID_INPUT', 'Name the token with --token <label>.', { field: 'token' });
  return first;
}

/**
 * Unlocks every token named by --token for this run, each with the PIN from its own --pin-env
 * (paired in order), a no-echo prompt, or its PIN pad. A key that asks for the PIN at every use
 * (CKA_ALWAYS_AUTHENTICATE) gets the same PIN again for each operation of this run.
 */
export async function unlockAllForRun(ctx: CommandContext): Promise<TokenInfoView[]> {
  const names = tokenNames(ctx);
  if (names.length === 0) throw new TesseraError('INVALID_INPUT', 'Name the token with --token <label>.', { field: 'token' });
  const pinEnvs = strings(ctx.values['pin-env']);
  if (pinEnvs.length > 0 && pinEnvs.length !== names.length) {
    throw new TesseraError(
      'INVALID_INPUT',
      `--pin-env must be given once per --token, in the same order (${names.length} token(s), ${pinEnvs.length} PIN variable(s)).`,
      { field: 'pin-env' },
    );
  }
  const tokens = ctx.core().services.tokens();
  const runPins = new Map<string, string>();
  const unlocked: TokenInfoView[] = [];
  for (const [i, name] of names.entries()) {
    const token = await tokens.findToken(name);
    if (token.state === 'unlocked' || !token.flags.loginRequired) {
      unlocked.push(token);
      continue;
    }
    const pin = await pinFor(ctx, token, pinEnvs[i]);
    const done = await call(ctx, 'hsm.login', pin === undefined ? { tokenSerial: token.serial } : { tokenSerial: token.serial, pin });
    if (pin !== undefined) runPins.set(done.serial, pin);
    unlocked.push(done);
  }
  tokens.setOperationPinSource(async (token) => {
    const held = runPins.get(token.serial);
    if (held !== undefined) return held;
    if (!process.stdin.isTTY || token.flags.protectedAuthenticationPath) return undefined;
    return promptHidden(`PIN for token "${token.label}" to approve one operation with a key that asks every time: `);
  });
  return unlocked;
}

async function pinFor(ctx: CommandContext, token: TokenInfoView, pinEnv: string | undefined): Promise<string | undefined> {
  if (pinEnv !== undefined) {
    const pin = takeSecretVariable(ctx.core().services.env, pinEnv);
    if (pin === undefined || pin === '')
      throw new TesseraError('INVALID_INPUT', `The environment variable ${pinEnv} (named by --pin-env for token "${token.label}") is not set.`, {
        field: 'pin-env',
      });
    return pin;
  }
  if (token.flags.protectedAuthenticationPath) {
    ctx.err(`Enter the PIN for token "${token.label}" on its PIN pad.`);
    return undefined;
  }
  if (process.stdin.isTTY) return promptHidden(`PIN for token "${token.label}": `);
  throw new TesseraError(
    'INVALID_INPUT',
    `Token "${token.label}" needs its PIN: run on a terminal to be prompted, or name an environment variable that holds it with --pin-env VAR. A PIN is never taken from an argument.`,
    { field: 'pin-env' },
  );
}
