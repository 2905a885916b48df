// tessera plan: what would change per (app, secret, cluster), and the hash approvers sign.
import type { Command } from '../command.ts';
import { call } from '../output.ts';
import { list, optional } from './vault-shared.ts';
import { printPlan } from './rollout-shared.ts';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Plan a rollout (whole fleet, --app, --cluster, --selector); prints the actions and the plan hash',
  usage: 'tessera plan [--app <app>…] [--cluster <context>…] [--selector env=prod] [--delete-app <app>] [--no-scan] [--as <principal>] [--json]',
  options: {
    app: { type: 'string', multiple: true },
    cluster: { type: 'string', multiple: true },
    selector: { type: 'string' },
    'delete-app': { type: 'string' },
    'no-scan': { type: 'boolean' },
    as: { type: 'string' },
  },
  async run(ctx) {
    const as = optional(ctx, 'as');
    const refresh = ctx.values['no-scan'] !== true;
    const deleting = optional(ctx, 'delete-app');
    const plan = deleting
      ? await call(ctx, 'rollout.planDeleteApp', { app: deleting, refresh, ...(as ? { as } : {}) })
      : await call(ctx, 'rollout.plan', {
          scope: { apps: list(ctx, 'app'), clusters: list(ctx, 'cluster'), selector: optional(ctx, 'selector') ?? '' },
          refresh,
          ...(as ? { as } : {}),
        });
    printPlan(ctx, plan);
    return 0;
  },
};
