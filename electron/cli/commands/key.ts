// tessera key list / key create: keys on a token, unlocked for this run only.
import { KEY_TYPES, TesseraError, type KeyType, type TokenKeyView } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, unlockForRun } from './token-shared.ts';

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

const CREATE_TYPES = KEY_TYPES.filter((t) => t !== 'rsa-2048');

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
    const key = await call(ctx, 'hsm.generateKey', { tokenSerial: token.serial, type: type as KeyType, label });
    if (ctx.json) printJson(ctx, key);
    else {
      ctx.out(table(keyRows([key])));
      if (key.publicKeyPem) ctx.out(`\n${key.publicKeyPem.trimEnd()}`);
      ctx.out(`\nfingerprint ${key.fingerprint}`);
    }
    return 0;
  },
};
