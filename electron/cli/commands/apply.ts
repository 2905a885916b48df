// tessera apply <plan-hash>: execute an approved plan (the requester's token proves who applies).
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call } from '../output.ts';
import { SIGNING_OPTIONS, actingPrincipal, printRollout, unlockSigner } from './rollout-shared.ts';
import { progressPrinter } from './rollouts.ts';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Execute an approved plan on every cluster; --resume <rollout> resumes or retries one',
  usage:
    'tessera apply <plan-hash> | --resume <rollout-id>  [(--token <label> [--pin-env VAR])… [--key <label>]] [--module <path>]… [--as <principal>] [--json]',
  options: { ...SIGNING_OPTIONS, resume: { type: 'string' } },
  async run(ctx) {
    const key = await unlockSigner(ctx);
    const as = await actingPrincipal(ctx, key);
    const stop = progressPrinter(ctx);
    try {
      const resume = ctx.values.resume;
      if (typeof resume === 'string') return printRollout(ctx, await call(ctx, 'rollout.retry', { rolloutId: resume, ...(as ? { as } : {}) }));
      const hash = ctx.positionals[0];
      if (!hash) throw new TesseraError('INVALID_INPUT', 'Name the plan: tessera apply <plan-hash>.', { field: 'hash' });
      return printRollout(ctx, await call(ctx, 'rollout.execute', { hash, ...(as ? { as } : {}) }));
    } finally {
      stop();
    }
  },
};
