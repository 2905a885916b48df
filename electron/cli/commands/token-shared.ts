// Shared by the token and key commands: --module (repeatable, for this run only), finding a
// token by label, and unlocking it for this run with a PIN from a no-echo prompt or --pin-env.
import { TesseraError, type TokenInfoView } from '../../../shared/contract/index.ts';
import type { CommandContext, OptionSpec } from '../command.ts';
import { call } from '../output.ts';
import { takeSecretVariable } from '../../core/child-env.ts';

export const MODULE_OPTIONS: OptionSpec = {
  module: { type: 'string', multiple: true },
};

export const LOGIN_OPTIONS: OptionSpec = {
  token: { type: 'string' },
  'pin-env': { type: 'string' },
};

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

/** Finds the token named by --token (label or serial) and unlocks it for this run. */
export async function unlockForRun(ctx: CommandContext): Promise<TokenInfoView> {
  const name = ctx.values.token;
  if (typeof name !== 'string' || name === '') throw new TesseraError('INVALID_INPUT', 'Name the token with --token <label>.', { field: 'token' });
  const token = await ctx.core().services.tokens().findToken(name);
  if (token.state === 'unlocked') return token;
  if (!token.flags.loginRequired) return token;
  let pin: string | undefined;
  const pinEnv = ctx.values['pin-env'];
  if (typeof pinEnv === 'string') {
    // Read once and removed: no child process (a kubeconfig exec plugin) inherits the PIN.
    pin = takeSecretVariable(ctx.core().services.env, pinEnv);
    if (pin === undefined || pin === '')
      throw new TesseraError('INVALID_INPUT', `The environment variable ${pinEnv} (named by --pin-env) is not set.`, { field: 'pin-env' });
  } else if (token.flags.protectedAuthenticationPath) {
    ctx.err(`Enter the PIN for token "${token.label}" on its PIN pad.`);
  } else if (process.stdin.isTTY) {
    pin = await promptHidden(`PIN for token "${token.label}": `);
  } else {
    throw new TesseraError(
      'INVALID_INPUT',
      `Token "${token.label}" needs its PIN: run on a terminal to be prompted, or name an environment variable that holds it with --pin-env VAR. A PIN is never taken from an argument.`,
      { field: 'pin-env' },
    );
  }
  return call(ctx, 'hsm.login', pin === undefined ? { tokenSerial: token.serial } : { tokenSerial: token.serial, pin });
}
