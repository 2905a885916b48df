// tessera token list: modules, slots and tokens with their flags.
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { MODULE_OPTIONS, addRunModules } from './token-shared.ts';

export const tokenListCommand: Command = {
  name: 'token list',
  summary: 'List PKCS#11 modules, slots and tokens (flags, PIN counters, lock state)',
  usage: 'tessera token list [--module <path>]… [--json]',
  options: MODULE_OPTIONS,
  async run(ctx) {
    addRunModules(ctx);
    const modules = await call(ctx, 'hsm.tokens', {});
    if (ctx.json) {
      printJson(ctx, modules);
      return modules.some((m) => m.problem !== null) ? 1 : 0;
    }
    const rows = [['MODULE', 'SLOT', 'LABEL', 'SERIAL', 'MODEL', 'STATE', 'FLAGS']];
    for (const m of modules) {
      if (m.problem) {
        ctx.err(`warning: ${m.path}: ${m.problem}`);
        continue;
      }
      for (const s of m.slots) {
        const t = s.token;
        if (!t) {
          rows.push([m.path, s.slotId, '(empty)', '', '', '', '']);
          continue;
        }
        const flags = [
          t.flags.protectedAuthenticationPath ? 'pin-pad' : '',
          t.flags.userPinCountLow ? 'pin-count-low' : '',
          t.flags.userPinFinalTry ? 'pin-final-try' : '',
          t.flags.userPinLocked ? 'pin-locked' : '',
          t.flags.tokenInitialized ? '' : 'not-initialized',
        ].filter(Boolean);
        rows.push([m.path, s.slotId, t.label, t.serial, t.model, t.state, flags.join(',') || '-']);
      }
    }
    if (rows.length === 1) ctx.out('No tokens found. Insert a token, or add its PKCS#11 module with --module <path> or in Settings.');
    else ctx.out(table(rows));
    return modules.some((m) => m.problem !== null) ? 1 : 0;
  },
};
