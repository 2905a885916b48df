// tessera approve <plan-hash>: the approver's token signs the plan hash.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call } from '../output.ts';
import { SIGNING_OPTIONS, actingPrincipal, printPlan, unlockSigner } from './rollout-shared.ts';

export const approveCommand: Command = {
  name: 'approve',
  summary: 'Approve a plan: sign its hash with your key on a token',
  usage: 'tessera approve <plan-hash> --token <label> [--pin-env VAR] [--key <label>] [--module <path>]… [--as <principal>] [--json]',
  options: SIGNING_OPTIONS,
  async run(ctx) {
    const hash = ctx.positionals[0];
    if (!hash) throw new TesseraError('INVALID_INPUT', 'Name the plan: tessera approve <plan-hash>.', { field: 'hash' });
    const key = await unlockSigner(ctx);
    const principal = await actingPrincipal(ctx, key);
    if (!principal)
      throw new TesseraError('INVALID_INPUT', 'Say who approves: --as <principal>, TESSERA_PRINCIPAL, or --key naming your registered key.', { field: 'as' });
    printPlan(ctx, await call(ctx, 'rollout.approve', { hash, principal }));
    return 0;
  },
};
