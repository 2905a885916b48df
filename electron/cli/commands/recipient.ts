// tessera recipient add | list | retire: who data keys are wrapped for.
import { TesseraError, type RecipientView, type TokenInfoView, type TokenKeyView } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, unlockAllForRun } from './token-shared.ts';
import { optional, readText, required, unlockIfNamed } from './vault-shared.ts';

function rows(list: RecipientView[]): string[][] {
  return [
    ['FINGERPRINT', 'LABEL', 'KIND', 'STATUS', 'TOKEN', 'VERSIONS', 'SIGNED BY'],
    ...list.map((r) => [
      r.fingerprint.slice(0, 16),
      r.label,
      r.kind,
      r.status,
      r.tokenSerial ?? '-',
      String(r.versionsWrapped),
      r.signedBy ? `${r.signedBy} (record ${r.recordSeq})${r.consistent ? '' : ' — ROW DIFFERS'}` : 'unsigned (grants nothing)',
    ]),
  ];
}

export const recipientAddCommand: Command = {
  name: 'recipient add',
  summary: 'Add a recipient (a key on a token, or a public key file); role: security-officer, whose token (--signer) signs the record',
  usage:
    'tessera recipient add ((--token <label> [--pin-env VAR])… --key <key label> | --public-key <pem file> --label <label> [--oaep-hash sha256|sha1] --token <signer token>) --signer <security officer> [--module <path>]… [--json]',
  options: {
    ...MODULE_OPTIONS,
    ...LOGIN_OPTIONS,
    key: { type: 'string' },
    'public-key': { type: 'string' },
    label: { type: 'string' },
    'oaep-hash': { type: 'string' },
    signer: { type: 'string' },
  },
  async run(ctx) {
    let recipient: RecipientView;
    const pemFile = optional(ctx, 'public-key');
    const signer = optional(ctx, 'signer');
    const signedBy = signer ? { signer } : {};
    if (pemFile !== undefined) {
      await unlockIfNamed(ctx);
      const hash = optional(ctx, 'oaep-hash');
      if (hash !== undefined && hash !== 'sha256' && hash !== 'sha1')
        throw new TesseraError('INVALID_INPUT', '--oaep-hash must be sha256 or sha1.', { field: 'oaep-hash' });
      recipient = await call(ctx, 'vault.addRecipient', {
        publicKeyPem: readText(pemFile, 'public key file'),
        label: optional(ctx, 'label') ?? pemFile,
        ...(hash ? { oaepHash: hash } : {}),
        ...signedBy,
      });
    } else {
      const keyLabel = required(ctx, 'key');
      addRunModules(ctx);
      // The key may sit on any token named with --token (the signer's key on another one).
      let found: { key: TokenKeyView; token: TokenInfoView } | null = null;
      const tokens = await unlockAllForRun(ctx);
      for (const token of tokens) {
        const keys = await call(ctx, 'hsm.keys', { tokenSerial: token.serial });
        const key =
          keys.find((k) => k.label === keyLabel && (k.capabilities.unwrap || k.capabilities.decrypt || k.capabilities.derive)) ??
          keys.find((k) => k.label === keyLabel);
        if (key) {
          found = { key, token };
          break;
        }
      }
      if (!found)
        throw new TesseraError('NOT_FOUND', `No token named with --token (${tokens.map((t) => `"${t.label}"`).join(', ')}) has a key labelled "${keyLabel}".`, {
          field: 'key',
        });
      const { key, token: keyToken } = found;
      // Say up front when this token cannot use the key as a recipient (the vault refuses it too, with the same reason).
      const kind =
        key.type === 'rsa' ? `rsa-${key.size}` : key.curve === 'P-384' ? 'ec-p384' : key.curve === 'P-256' ? 'ec-p256' : key.type === 'aes' ? 'aes-256' : null;
      const capability = keyToken.keyTypes.find((c) => c.type === kind);
      if (capability && capability.canCreate && !capability.recipient) ctx.err(capability.reason);
      recipient = await call(ctx, 'vault.addRecipient', {
        tokenSerial: keyToken.serial,
        keyId: key.keyId,
        label: optional(ctx, 'label') ?? keyLabel,
        ...signedBy,
      });
    }
    if (ctx.json) printJson(ctx, recipient);
    else
      ctx.out(
        `${table(rows([recipient]))}\n\nfingerprint ${recipient.fingerprint}\nNew versions are wrapped for it; run "tessera rewrap" to add it to existing versions.`,
      );
    return 0;
  },
};

export const recipientListCommand: Command = {
  name: 'recipient list',
  summary: 'List recipients, active and retired',
  usage: 'tessera recipient list [--json]',
  async run(ctx) {
    const list = await call(ctx, 'vault.recipients', {});
    if (ctx.json) printJson(ctx, list);
    else ctx.out(list.length ? table(rows(list)) : 'No recipients yet. Add one with "tessera recipient add".');
    return 0;
  },
};

export const recipientRetireCommand: Command = {
  name: 'recipient retire',
  summary: 'Retire a recipient (by fingerprint or a unique prefix); role: security-officer, whose token (--signer) signs the record',
  usage: 'tessera recipient retire <fingerprint> --signer <security officer> --token <label> [--pin-env VAR] [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, signer: { type: 'string' } },
  async run(ctx) {
    const prefix = ctx.positionals[0] ?? '';
    if (prefix.length < 8) throw new TesseraError('INVALID_INPUT', 'Name the recipient by its fingerprint (at least 8 hex digits).', { field: 'fingerprint' });
    const matches = (await call(ctx, 'vault.recipients', {})).filter((r) => r.fingerprint.startsWith(prefix.toLowerCase()));
    if (matches.length !== 1)
      throw new TesseraError(
        matches.length ? 'CONFLICT' : 'NOT_FOUND',
        matches.length ? `"${prefix}" matches ${matches.length} recipients; give more digits.` : `No recipient has a fingerprint starting with "${prefix}".`,
      );
    await unlockIfNamed(ctx);
    const signer = optional(ctx, 'signer');
    const r = await call(ctx, 'vault.retireRecipient', { fingerprint: matches[0]!.fingerprint, ...(signer ? { signer } : {}) });
    if (ctx.json) printJson(ctx, r);
    else ctx.out(`Retired "${r.label}". Run "tessera rewrap" to remove it from ${r.versionsWrapped} existing version(s).`);
    return 0;
  },
};
