// tessera policy set | list: approvals a cluster label selector needs; a security officer signs changes.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { optional, required } from './vault-shared.ts';
import { SIGNING_OPTIONS, actingPrincipal, unlockSigner } from './rollout-shared.ts';

export const policySetCommand: Command = {
  name: 'policy set',
  summary: "Create or replace an approval policy; a security officer's token signs",
  usage: 'tessera policy set --name prod --selector env=prod --approvals 2 [--allow-requester] --signer <so> --token <label> [--pin-env VAR]',
  options: {
    ...SIGNING_OPTIONS,
    name: { type: 'string' },
    selector: { type: 'string' },
    approvals: { type: 'string' },
    'allow-requester': { type: 'boolean' },
    signer: { type: 'string' },
  },
  async run(ctx) {
    const approvals = Number(required(ctx, 'approvals'));
    if (!Number.isInteger(approvals) || approvals < 0) throw new TesseraError('INVALID_INPUT', '--approvals must be a whole number.', { field: 'approvals' });
    const key = await unlockSigner(ctx);
    const signer = optional(ctx, 'signer') ?? (await actingPrincipal(ctx, key));
    if (!signer) throw new TesseraError('INVALID_INPUT', 'Name the security officer who signs with --signer.', { field: 'signer' });
    const p = await call(ctx, 'rollout.setPolicy', {
      name: required(ctx, 'name'),
      selector: required(ctx, 'selector'),
      requiredApprovals: approvals,
      excludeRequester: ctx.values['allow-requester'] !== true,
      signer,
    });
    if (ctx.json) printJson(ctx, p);
    else
      ctx.out(
        `Policy ${p.name}: ${p.selector} needs ${p.requiredApprovals} ${p.approverRole} approval(s)${p.excludeRequester ? ', not the requester' : ''} (record ${p.recordSeq}, signed by ${p.signedBy}).`,
      );
    return 0;
  },
};

export const policyListCommand: Command = {
  name: 'policy list',
  summary: 'Approval policies as the signed chain defines them',
  usage: 'tessera policy list [--json]',
  async run(ctx) {
    const policies = await call(ctx, 'rollout.policies', {});
    if (ctx.json) printJson(ctx, policies);
    else {
      const rows = [['NAME', 'SELECTOR', 'APPROVALS', 'ROLE', 'NOT REQUESTER', 'SIGNED BY', 'CONSISTENT']];
      for (const p of policies)
        rows.push([
          p.name,
          p.selector,
          String(p.requiredApprovals),
          p.approverRole,
          p.excludeRequester ? 'yes' : 'no',
          p.signedBy,
          p.consistent ? 'yes' : 'NO',
        ]);
      ctx.out(table(rows));
    }
    return 0;
  },
};
