// tessera rewrap: rewrap every version to the active recipients (resumable).
import type { Command } from '../command.ts';
import { call, printJson } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS } from './token-shared.ts';
import { optional, unlockIfNamed } from './vault-shared.ts';

export const rewrapCommand: Command = {
  name: 'rewrap',
  summary: "Rewrap every version to the signed active recipients (role: security-officer, proven by --as's token signature; resumable)",
  usage: 'tessera rewrap --as <security officer> (--token <label> [--pin-env VAR])… [--module <path>]… [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, as: { type: 'string' } },
  async run(ctx) {
    await unlockIfNamed(ctx);
    const stop = ctx.json
      ? () => undefined
      : ctx.core().events.subscribe((m) => {
          if (m.event === 'vault.rewrap.progress') {
            const p = m.payload as { done: number; total: number };
            if (p.done === p.total || p.done % 50 === 0) ctx.err(`rewrapped ${p.done}/${p.total}`);
          }
        });
    try {
      const as = optional(ctx, 'as');
      const result = await call(ctx, 'vault.rewrap', as ? { as } : {});
      if (ctx.json) printJson(ctx, result);
      else ctx.out(`Rewrapped ${result.rewrapped} version(s); ${result.pending} pending; ${result.active.length} active recipient(s).`);
      return 0;
    } finally {
      stop();
    }
  },
};
