// tessera config export | import: configuration as code (no values, no ciphertext).
import { writeFileSync } from 'node:fs';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { optional, readText } from './vault-shared.ts';

export const configExportCommand: Command = {
  name: 'config export',
  summary: 'Write apps, secrets, targeting and cluster labels as YAML (no values)',
  usage: 'tessera config export [--out <file>]',
  options: { out: { type: 'string' } },
  async run(ctx) {
    const { yaml } = await call(ctx, 'config.export', {});
    const out = optional(ctx, 'out');
    if (out) writeFileSync(out, yaml);
    else process.stdout.write(yaml);
    return 0;
  },
};

export const configImportCommand: Command = {
  name: 'config import',
  summary: 'Apply a configuration YAML file (--dry-run: print what would change)',
  usage: 'tessera config import <file> [--dry-run] [--json]',
  options: { 'dry-run': { type: 'boolean' } },
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file) throw new TesseraError('INVALID_INPUT', 'Name the configuration file: tessera config import <file>.', { field: 'file' });
    const result = await call(ctx, 'config.import', { yaml: readText(file, 'configuration file'), dryRun: ctx.values['dry-run'] === true });
    if (ctx.json) printJson(ctx, result);
    else {
      const changed = result.changes.filter((c) => c.kind !== 'unchanged');
      ctx.out(
        changed.length
          ? table([['CHANGE', 'WHAT', 'NAME', 'FIELDS'], ...changed.map((c) => [c.kind, c.what, c.name, c.fields.join(',') || '-'])])
          : 'Nothing to change.',
      );
      if (result.dryRun) ctx.out('(dry run: nothing was changed)');
    }
    return 0;
  },
};
