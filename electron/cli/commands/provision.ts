// tessera provision / deprovision: write or remove an app's Secrets on clusters picked by name
// or label selector. Both go through a rollout plan in core: when a policy asks for approvals the
// command stops with APPROVAL_REQUIRED naming the plan hash (approve it, then tessera apply).
import { TesseraError, type ClusterOutcome } from '../../../shared/contract/index.ts';
import type { Command, CommandContext, OptionSpec } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, unlockForRun } from './token-shared.ts';

export const TARGET_OPTIONS: OptionSpec = {
  app: { type: 'string' },
  cluster: { type: 'string', multiple: true },
  selector: { type: 'string' },
  ...MODULE_OPTIONS,
  ...LOGIN_OPTIONS,
};

/** Unlocks the token named by --token for this run, so versions can be unwrapped (and the rollout executed). */
export async function unlockForWrite(ctx: CommandContext): Promise<void> {
  addRunModules(ctx);
  if (typeof ctx.values.token === 'string') await unlockForRun(ctx);
}

/** "--for 8h" (s, m, h, d) as the ISO time it ends. */
export function expiryFrom(text: unknown, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const m = typeof text === 'string' ? /^(\d+)([smhd])$/u.exec(text.trim()) : null;
  if (!m) throw new TesseraError('INVALID_INPUT', '--for must be a duration like 30m, 8h or 2d.', { field: 'for' });
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (Number(m[1]) === 0) throw new TesseraError('INVALID_INPUT', '--for must be longer than zero.', { field: 'for' });
  return new Date(now + Number(m[1]) * unit).toISOString();
}

function targetInput(ctx: CommandContext): { app: string; clusters?: string[]; selector?: string } {
  const app = ctx.values.app;
  if (typeof app !== 'string' || app === '') throw new TesseraError('INVALID_INPUT', '--app is required.', { field: 'app' });
  const clusters = (ctx.values.cluster as string[] | undefined) ?? [];
  const selector = ctx.values.selector as string | undefined;
  if (clusters.length > 0 && selector !== undefined)
    throw new TesseraError('INVALID_INPUT', 'Give either --cluster or --selector, not both.', { field: 'selector' });
  return { app, ...(clusters.length > 0 ? { clusters } : {}), ...(selector !== undefined ? { selector } : {}) };
}

/** Prints the outcomes; exits 1 when nothing matched or any cluster failed. */
export function printOutcomes(ctx: CommandContext, outcomes: ClusterOutcome[]): number {
  if (ctx.json) printJson(ctx, outcomes);
  else if (outcomes.length === 0) ctx.err('No cluster matched: nothing was provisioned or removed.');
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
  return outcomes.length === 0 || outcomes.some((o) => !o.ok) ? 1 : 0;
}

export const provisionCommand: Command = {
  name: 'provision',
  summary: 'Publish the app on clusters and roll out its version through a plan (honours approval policies)',
  usage:
    'tessera provision --app <app> (--cluster <context>… | --selector env=prod) [--for 8h] [--token <label> --pin-env VAR] [--overwrite] [--json]\n' +
    '  --for: the publication ends then; the reconciler (serve, the desk, tessera reconcile) deprovisions it',
  options: { ...TARGET_OPTIONS, overwrite: { type: 'boolean' }, for: { type: 'string' } },
  async run(ctx) {
    const expiresAt = expiryFrom(ctx.values.for);
    await unlockForWrite(ctx);
    const outcomes = await call(ctx, 'kube.provision', {
      ...targetInput(ctx),
      ...(ctx.values.overwrite === true ? { overwrite: true } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return printOutcomes(ctx, outcomes);
  },
};
