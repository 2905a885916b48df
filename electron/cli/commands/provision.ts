// tessera provision / deprovision: write or remove an app's Secrets on clusters picked by name
// or label selector. Both go through a rollout plan in core: when a policy asks for approvals the
// command stops with APPROVAL_REQUIRED naming the plan hash (approve it, then tessera apply).
import { TesseraError, type ClusterOutcome } from '../../../shared/contract/index.ts';
import type { Command, CommandContext, OptionSpec } from '../command.ts';
import { call, printJson, table } from '../output.ts';

const TARGET_OPTIONS: OptionSpec = {
  app: { type: 'string' },
  cluster: { type: 'string', multiple: true },
  selector: { type: 'string' },
};

function targetInput(ctx: CommandContext): { app: string; clusters?: string[]; selector?: string } {
  const app = ctx.values.app;
  if (typeof app !== 'string' || app === '') throw new TesseraError('INVALID_INPUT', '--app is required.', { field: 'app' });
  const clusters = (ctx.values.cluster as string[] | undefined) ?? [];
  const selector = ctx.values.selector as string | undefined;
  if (clusters.length > 0 && selector !== undefined)
    throw new TesseraError('INVALID_INPUT', 'Give either --cluster or --selector, not both.', { field: 'selector' });
  return { app, ...(clusters.length > 0 ? { clusters } : {}), ...(selector !== undefined ? { selector } : {}) };
}

export function printOutcomes(ctx: CommandContext, outcomes: ClusterOutcome[]): number {
  if (ctx.json) printJson(ctx, outcomes);
  else if (outcomes.length === 0) ctx.out('No cluster matched.');
  else {
    const rows = [['CLUSTER', 'RESULT', 'SECRETS', 'ERROR']];
    for (const o of outcomes) {
      rows.push([
        o.cluster,
        o.ok ? 'ok' : (o.error?.code ?? 'failed'),
        o.secrets.map((s) => `${s.namespace}/${s.name}:${s.action}${s.wiring === 'none' ? '' : `+wiring ${s.wiring}`}`).join(' '),
        o.error?.message ?? '',
      ]);
    }
    ctx.out(table(rows));
  }
  return outcomes.some((o) => !o.ok) ? 1 : 0;
}

export const provisionCommand: Command = {
  name: 'provision',
  summary: 'Publish the app on clusters and roll out its version through a plan (honours approval policies)',
  usage: 'tessera provision --app <app> (--cluster <context>… | --selector env=prod) [--overwrite] [--json]',
  options: { ...TARGET_OPTIONS, overwrite: { type: 'boolean' } },
  async run(ctx) {
    const outcomes = await call(ctx, 'kube.provision', { ...targetInput(ctx), ...(ctx.values.overwrite === true ? { overwrite: true } : {}) });
    return printOutcomes(ctx, outcomes);
  },
};
