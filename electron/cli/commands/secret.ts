// tessera secret set | versions | reveal. Values come from files, standard input, an .env file,
// a Secret manifest or --from-literal (which shows them in the process list); reveal needs an
// unlocked token and is audited.
import { readFileSync } from 'node:fs';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, tokenNames } from './token-shared.ts';
import { list, optional, readText, required, unlockIfNamed } from './vault-shared.ts';

export const secretSetCommand: Command = {
  name: 'secret set',
  summary: 'Write a new version of a secret, signed by its author: app-owner of the app or security-officer (--as), whose token signs it',
  usage:
    'tessera secret set --app <app> --name <secret> (--from-file KEY=PATH… | --from-stdin KEY | --from-literal KEY=VALUE… | --from-env-file <file> | --from-manifest <file>) [--delivery env|volume] [--mount-path P] --as <author> --token T [--pin-env VAR] [--json]\n' +
    '  --as NAME             the author (role: app-owner of the app, or security-officer); default TESSERA_PRINCIPAL\n' +
    '  --from-file KEY=PATH  the bytes of a file as the value of KEY (repeatable)\n' +
    '  --from-stdin KEY      standard input, byte for byte, as the value of KEY (printf, not echo, avoids a trailing newline)\n' +
    '  --from-env-file FILE  KEY=VALUE lines;  --from-manifest FILE  a Kubernetes Secret manifest\n' +
    '  Warning: --from-literal puts the value in the process list, where every user of this machine can read it;\n' +
    '  prefer --from-file, --from-stdin or --from-env-file.',
  options: {
    ...MODULE_OPTIONS,
    ...LOGIN_OPTIONS,
    app: { type: 'string' },
    name: { type: 'string' },
    'from-literal': { type: 'string', multiple: true },
    'from-file': { type: 'string', multiple: true },
    'from-stdin': { type: 'string' },
    'from-env-file': { type: 'string' },
    'from-manifest': { type: 'string' },
    delivery: { type: 'string' },
    'mount-path': { type: 'string' },
    as: { type: 'string' },
  },
  async run(ctx) {
    const app = required(ctx, 'app');
    const name = required(ctx, 'name');
    const literals = list(ctx, 'from-literal');
    const files = list(ctx, 'from-file');
    const stdinKey = optional(ctx, 'from-stdin');
    const envFile = optional(ctx, 'from-env-file');
    const manifest = optional(ctx, 'from-manifest');
    const perKey = literals.length > 0 || files.length > 0 || stdinKey !== undefined;
    if ([perKey, envFile !== undefined, manifest !== undefined].filter(Boolean).length !== 1) {
      throw new TesseraError(
        'INVALID_INPUT',
        'Give the values with --from-file, --from-stdin or --from-literal (they combine), or with exactly one of --from-env-file or --from-manifest.',
        { field: 'from-file' },
      );
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
    const as = optional(ctx, 'as');
    const version = perKey
      ? await call(ctx, 'vault.writeVersion', { app, secret: name, values: await perKeyValues(literals, files, stdinKey), ...(as ? { as } : {}) })
      : await call(ctx, 'vault.importVersion', {
          app,
          secret: name,
          ...(as ? { as } : {}),
          format: envFile ? 'env' : 'manifest',
          text: readText((envFile ?? manifest)!, envFile ? '.env file' : 'manifest'),
        });
    if (ctx.json) printJson(ctx, version);
    else ctx.out(`Wrote version ${version.number} of "${name}" (${version.keyNames.join(', ')}) for ${version.recipients.length} recipient(s).`);
    return 0;
  },
};

type Value = { name: string; value: string; encoding?: 'utf8' | 'base64' };

/** Bytes as a contract value: text when they are valid UTF-8, base64 otherwise (binary files). */
function bytesValue(name: string, bytes: Buffer): Value {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { name, value: text } : { name, value: bytes.toString('base64'), encoding: 'base64' };
}

function splitPair(option: string, text: string, index: number, what: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new TesseraError('INVALID_INPUT', `--${option} number ${index + 1} is not ${what}.`, { field: `${option}.${index}` });
  return [text.slice(0, eq), text.slice(eq + 1)];
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The values of --from-literal, --from-file and --from-stdin together; a key given twice is refused. */
async function perKeyValues(literals: string[], files: string[], stdinKey: string | undefined): Promise<Value[]> {
  const values: Value[] = [];
  const add = (v: Value, option: string) => {
    if (values.some((x) => x.name === v.name))
      throw new TesseraError('INVALID_INPUT', `Key "${v.name}" is given more than once (again by --${option}).`, { field: option });
    values.push(v);
  };
  literals.forEach((l, i) => {
    const [key, value] = splitPair('from-literal', l, i, 'KEY=VALUE');
    add({ name: key, value }, 'from-literal');
  });
  files.forEach((f, i) => {
    const [key, path] = splitPair('from-file', f, i, 'KEY=PATH');
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new TesseraError('NOT_FOUND', `Cannot read the file "${path}" given for key "${key}" (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
        field: `from-file.${i}`,
      });
    }
    add(bytesValue(key, bytes), 'from-file');
    bytes.fill(0);
  });
  if (stdinKey !== undefined) {
    if (process.stdin.isTTY)
      throw new TesseraError('INVALID_INPUT', `--from-stdin ${stdinKey} reads the value from a pipe or a redirected file, not from the terminal.`, {
        field: 'from-stdin',
      });
    const bytes = await readStdin();
    add(bytesValue(stdinKey, bytes), 'from-stdin');
    bytes.fill(0);
  }
  return values;
}

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
  summary: "Decrypt and show a version (role: app-owner of the app or security-officer, proven by --as's token signature; audited)",
  usage: 'tessera secret reveal --app <app> --name <secret> [--version N] --as <principal> (--token <label> [--pin-env VAR])… [--module <path>]… [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, app: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, as: { type: 'string' } },
  async run(ctx) {
    if (tokenNames(ctx).length === 0) throw new TesseraError('INVALID_INPUT', '--token is required.', { field: 'token' });
    await unlockIfNamed(ctx);
    const v = optional(ctx, 'version');
    if (v !== undefined && !/^[1-9]\d*$/u.test(v)) throw new TesseraError('INVALID_INPUT', '--version must be a positive whole number.', { field: 'version' });
    const as = optional(ctx, 'as');
    const revealed = await call(ctx, 'vault.reveal', {
      app: required(ctx, 'app'),
      secret: required(ctx, 'name'),
      ...(v ? { version: Number(v) } : {}),
      ...(as ? { as } : {}),
    });
    if (revealed.integrity === 'unsigned') ctx.err('warning: this version is not signed (an old vault not yet adopted): its values are not verified.');
    if (ctx.json) printJson(ctx, revealed);
    else ctx.out(table([['KEY', 'VALUE'], ...revealed.values.map((x) => [x.name, x.encoding === 'base64' ? `base64:${x.value}` : x.value])]));
    return 0;
  },
};
