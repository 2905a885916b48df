// tessera audit verify | export.
import { writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { call, printJson } from '../output.ts';
import { optional } from './vault-shared.ts';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'Check the audit hash chain and signed checkpoints (exits 1 when broken)',
  usage: 'tessera audit verify [--json]',
  async run(ctx) {
    const result = await call(ctx, 'audit.verify', {});
    if (ctx.json) printJson(ctx, result);
    else if (result.ok)
      ctx.out(`The audit log is intact: ${result.entries} entries, ${result.signaturesVerified}/${result.checkpoints} checkpoint signatures verified.`);
    else ctx.err(`The audit log is broken at entry ${result.firstBroken!.seq}: ${result.firstBroken!.reason}.`);
    return result.ok ? 0 : 1;
  },
};

export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'Write the audit log as JSON Lines (to --out or stdout)',
  usage: 'tessera audit export [--out <file>]',
  options: { out: { type: 'string' } },
  async run(ctx) {
    const { jsonl, entries } = await call(ctx, 'audit.export', {});
    const out = optional(ctx, 'out');
    if (out) {
      writeFileSync(out, jsonl, { mode: 0o600 });
      if (ctx.json) printJson(ctx, { file: out, entries });
      else ctx.err(`Wrote ${entries} entries to ${out}.`);
    } else process.stdout.write(jsonl);
    return 0;
  },
};
