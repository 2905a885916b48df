// tessera secret set | versions | reveal. Values come from --from-literal, an .env file or a
// Secret manifest; reveal needs an unlocked token and is audited.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS } from './token-shared.ts';
import { list, optional, readText, required, unlockIfNamed } from './vault-shared.ts';

export const secretSetCommand: Command = {
  name: 'secret set',
  summary: 'Write a new version of a secret (creating the secret if needed)',
  usage:
    'tessera secret set --app <app> --name <secret> (--from-literal KEY=VALUE… | --from-env-file <file> | --from-manifest <file>) [--delivery env|volume] [--mount-path P] [--token T --pin-env VAR] [--json]',
  options: {
    ...MODULE_OPTIONS,
    ...LOGIN_OPTIONS,
    app: { type: 'string' },
    name: { type: 'string' },
    'from-literal': { type: 'string', multiple: true },
    'from-env-file': { type: 'string' },
    'from-manifest': { type: 'string' },
    delivery: { type: 'string' },
    'mount-path': { type: 'string' },
  },
  async run(ctx) {
    const app = required(ctx, 'app');
    const name = required(ctx, 'name');
    const literals = list(ctx, 'from-literal');
    const envFile = optional(ctx, 'from-env-file');
    const manifest = optional(ctx, 'from-manifest');
    if ([literals.length > 0, envFile !== undefined, manifest !== undefined].filter(Boolean).length !== 1) {
      throw new TesseraError('INVALID_INPUT', 'Give the values with exactly one of --from-literal, --from-env-file or --from-manifest.', {
        field: 'from-literal',
      });
    }
    const delivery = optional(ctx, 'delivery');
    if (delivery !== undefined && delivery !== 'env' && delivery !== 'volume')
      throw new TesseraError('INVALID_INPUT', '--delivery must be env or volume.', { field: 'delivery' });
    const current = await call(ctx, 'vault.app', { app });
    const existing = current.secrets.find((s) => s.name === name);
    if (!existing || delivery !== undefined) {
      const mountPath = optional(ctx, 'mount-path');
      await call(ctx, 'vault.defineSecret', {
        app,
        name,
        delivery: (delivery ?? existing?.delivery ?? 'env') as 'env' | 'volume',
        ...(mountPath ? { mountPath } : existing?.mountPath ? { mountPath: existing.mountPath } : {}),
      });
    }
    await unlockIfNamed(ctx);
    const version =
      literals.length > 0
        ? await call(ctx, 'vault.writeVersion', {
            app,
            secret: name,
            values: literals.map((l, i) => {
              const eq = l.indexOf('=');
              if (eq <= 0) throw new TesseraError('INVALID_INPUT', `--from-literal number ${i + 1} is not KEY=VALUE.`, { field: `from-literal.${i}` });
              return { name: l.slice(0, eq), value: l.slice(eq + 1) };
            }),
          })
        : await call(ctx, 'vault.importVersion', {
            app,
            secret: name,
            format: envFile ? 'env' : 'manifest',
            text: readText((envFile ?? manifest)!, envFile ? '.env file' : 'manifest'),
          });
    if (ctx.json) printJson(ctx, version);
    else ctx.out(`Wrote version ${version.number} of "${name}" (${version.keyNames.join(', ')}) for ${version.recipients.length} recipient(s).`);
    return 0;
  },
};

export const secretVersionsCommand: Command = {
  name: 'secret versions',
  summary: 'Version history of a secret: who, when, which keys changed',
  usage: 'tessera secret versions --app <app> --name <secret> [--json]',
  options: { app: { type: 'string' }, name: { type: 'string' } },
  async run(ctx) {
    const versions = await call(ctx, 'vault.versions', { app: required(ctx, 'app'), secret: required(ctx, 'name') });
    if (ctx.json) printJson(ctx, versions);
    else
      ctx.out(
        table([
          ['VERSION', 'WRITTEN BY', 'AT', 'SOURCE', 'KEYS', 'CHANGES'],
          ...versions.map((v) => [
            String(v.number),
            v.createdBy,
            v.createdAt,
            v.source,
            v.keyNames.join(','),
            [...v.added.map((k) => `+${k}`), ...v.removed.map((k) => `-${k}`)].join(' ') || '-',
          ]),
        ]),
      );
    return 0;
  },
};

export const secretRevealCommand: Command = {
  name: 'secret reveal',
  summary: 'Decrypt and show a version (needs a token; audited)',
  usage: 'tessera secret reveal --app <app> --name <secret> [--version N] --token <label> [--pin-env VAR] [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, app: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' } },
  async run(ctx) {
    required(ctx, 'token');
    await unlockIfNamed(ctx);
    const v = optional(ctx, 'version');
    if (v !== undefined && !/^[1-9]\d*$/u.test(v)) throw new TesseraError('INVALID_INPUT', '--version must be a positive whole number.', { field: 'version' });
    const revealed = await call(ctx, 'vault.reveal', { app: required(ctx, 'app'), secret: required(ctx, 'name'), ...(v ? { version: Number(v) } : {}) });
    if (ctx.json) printJson(ctx, revealed);
    else ctx.out(table([['KEY', 'VALUE'], ...revealed.values.map((x) => [x.name, x.encoding === 'base64' ? `base64:${x.value}` : x.value])]));
    return 0;
  },
};
