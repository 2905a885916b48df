// tessera key list / key create: keys on a token, unlocked for this run only.
import { KEY_TYPES, TesseraError, type KeyType, type TokenInfoView, type TokenKeyView } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, tokenNames, unlockForRun } from './token-shared.ts';

function keyRows(keys: TokenKeyView[]): string[][] {
  const caps = (k: TokenKeyView) =>
    Object.entries(k.capabilities)
      .filter(([, v]) => v)
      .map(([n]) => n)
      .join(',');
  return [
    ['LABEL', 'ID', 'TYPE', 'SIZE', 'CAPABILITIES', 'FINGERPRINT'],
    ...keys.map((k) => [k.label, k.keyId, k.type, k.curve ?? (k.size === null ? '-' : String(k.size)), caps(k), k.fingerprint.slice(0, 16)]),
  ];
}

export const keyListCommand: Command = {
  name: 'key list',
  summary: 'List keys on a token that can unwrap, decrypt, derive or sign',
  usage: 'tessera key list --token <label> [--pin-env VAR] [--module <path>]… [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS },
  async run(ctx) {
    addRunModules(ctx);
    const token = await unlockForRun(ctx);
    const keys = await call(ctx, 'hsm.keys', { tokenSerial: token.serial });
    if (ctx.json) printJson(ctx, keys);
    else if (keys.length === 0) ctx.out(`Token "${token.label}" holds no usable keys. Create one with "tessera key create".`);
    else ctx.out(table(keyRows(keys)));
    return 0;
  },
};

const CREATE_TYPES = KEY_TYPES;

/** What the token can do with each key type, read from its mechanisms, before any key is made. */
function typeRows(token: TokenInfoView): string[][] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [['TYPE', 'CREATE', 'RECIPIENT', 'SIGN', 'WHY'], ...token.keyTypes.map((c) => [c.type, yes(c.canCreate), yes(c.recipient), yes(c.sign), c.reason])];
}

export const keyTypesCommand: Command = {
  name: 'key types',
  summary: 'What a token can do with each key type: create it, use it as a recipient, sign with it (from its mechanism list)',
  usage: 'tessera key types --token <label> [--module <path>]… [--json]',
  options: { ...MODULE_OPTIONS, token: { type: 'string', multiple: true } },
  async run(ctx) {
    addRunModules(ctx);
    const [name] = tokenNames(ctx);
    if (!name) throw new TesseraError('INVALID_INPUT', 'Name the token with --token <label>.', { field: 'token' });
    const token = await ctx.core().services.tokens().findToken(name);
    if (ctx.json) printJson(ctx, token.keyTypes);
    else ctx.out(table(typeRows(token)));
    return 0;
  },
};

export const keyCreateCommand: Command = {
  name: 'key create',
  summary: 'Generate a non-extractable key on a token',
  usage: `tessera key create --token <label> --type ${CREATE_TYPES.join('|')} --label <label> [--pin-env VAR] [--module <path>]… [--json]`,
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, type: { type: 'string' }, label: { type: 'string' } },
  async run(ctx) {
    const type = ctx.values.type;
    const label = ctx.values.label;
    if (typeof type !== 'string' || !(CREATE_TYPES as readonly string[]).includes(type)) {
      throw new TesseraError('INVALID_INPUT', `--type must be one of ${CREATE_TYPES.join(', ')}.`, { field: 'type' });
    }
    if (typeof label !== 'string' || label === '') throw new TesseraError('INVALID_INPUT', 'Name the key with --label <label>.', { field: 'label' });
    addRunModules(ctx);
    const token = await unlockForRun(ctx);
    const capability = token.keyTypes.find((c) => c.type === type);
    // Refused before anything is sent to the token, with the sentence that says why.
    if (capability && !capability.canCreate)
      throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${token.label}" will not create this key. ${capability.reason}`, { field: 'type' });
    const key = await call(ctx, 'hsm.generateKey', { tokenSerial: token.serial, type: type as KeyType, label });
    if (ctx.json) printJson(ctx, key);
    else {
      ctx.out(table(keyRows([key])));
      if (key.publicKeyPem) ctx.out(`\n${key.publicKeyPem.trimEnd()}`);
      ctx.out(`\nfingerprint ${key.fingerprint}`);
      if (capability) ctx.out(capability.reason);
    }
    return 0;
  },
};
