// Shared by the rollout commands: who acts (--as or TESSERA_PRINCIPAL, or the principal whose key
// --key names), unlocking --token so that principal's key can sign, and printing plans.
import { TesseraError, type PlanView, type RolloutView, type TokenKeyView } from '../../../shared/contract/index.ts';
import type { CommandContext, OptionSpec } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, tokenNames, unlockAllForRun } from './token-shared.ts';

export const SIGNING_OPTIONS: OptionSpec = { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, key: { type: 'string' }, as: { type: 'string' } };

/** Unlocks every --token (when given) and returns the key --key names on one of them, if any. */
export async function unlockSigner(ctx: CommandContext): Promise<TokenKeyView | null> {
  addRunModules(ctx);
  if (tokenNames(ctx).length === 0) return null;
  const tokens = await unlockAllForRun(ctx);
  const label = ctx.values.key;
  if (typeof label !== 'string') return null;
  for (const token of tokens) {
    const keys = await call(ctx, 'hsm.keys', { tokenSerial: token.serial });
    const key = keys.find((k) => k.label === label || k.keyId === label.toLowerCase());
    if (key) return key;
  }
  throw new TesseraError('NOT_FOUND', `No token named with --token (${tokens.map((t) => `"${t.label}"`).join(', ')}) has a key labelled "${label}".`, {
    field: 'key',
  });
}

/** The acting principal: --as, TESSERA_PRINCIPAL, or the principal whose registered key is --key. */
export async function actingPrincipal(ctx: CommandContext, key: TokenKeyView | null): Promise<string | undefined> {
  if (typeof ctx.values.as === 'string' && ctx.values.as !== '') return ctx.values.as;
  const env = ctx.core().services.env.TESSERA_PRINCIPAL;
  if (env) return env;
  if (key) {
    const match = (await call(ctx, 'rollout.principals', {})).find((p) => p.keyFingerprint === key.fingerprint);
    if (match) return match.name;
  }
  return undefined;
}

export function printPlan(ctx: CommandContext, plan: PlanView): void {
  if (ctx.json) {
    printJson(ctx, plan);
    return;
  }
  const c = plan.counts;
  ctx.out(`Plan ${plan.hash}`);
  ctx.out(
    `  ${plan.intent}; ${plan.clusters} cluster(s): ${c.create} create, ${c.update} update, ${c.rewire} rewire, ${c.delete} delete, ${c.adopt} adopt, ${c.nothing} unchanged`,
  );
  if (plan.changes.length > 0) {
    const rows = [['ACTION', 'APP', 'SECRET', 'CLUSTER', 'KEYS', 'REASON']];
    for (const a of plan.changes) {
      const keys = [...a.keys.added.map((k) => `+${k}`), ...a.keys.removed.map((k) => `-${k}`), ...a.keys.kept.map((k) => `~${k}`)].join(' ');
      rows.push([a.action, a.app, `${a.namespace}/${a.secret}`, a.cluster, keys, a.reason]);
    }
    ctx.out(table(rows));
  }
  for (const r of plan.requirements) {
    ctx.out(
      `  policy ${r.policy} (${r.selector}): ${r.given.length}/${r.required} ${r.approverRole} approval(s)${r.excludeRequester ? ', not the requester' : ''}${r.given.length ? ` — ${r.given.join(', ')}` : ''}${r.satisfied ? ' ✓' : ''}`,
    );
  }
  ctx.out(plan.approved ? '  Approved: apply it with `tessera apply <hash>`.' : `  Needs approval: \`tessera approve ${plan.hash}\`.`);
}

export function printRollout(ctx: CommandContext, rollout: RolloutView): number {
  if (ctx.json) printJson(ctx, rollout);
  else {
    ctx.out(
      `Rollout ${rollout.id}: ${rollout.status}; ${rollout.done}/${rollout.total} done, ${rollout.failed} failed, ${rollout.pending} pending; ${rollout.unwraps} unwrap(s).`,
    );
    const rows = [['CLUSTER', 'STATE', 'STEPS', 'ERROR']];
    for (const c of rollout.clusters) rows.push([c.cluster, c.state, `${c.done}/${c.steps}`, c.error ? `${c.error.code}: ${c.error.message}` : '']);
    if (rollout.clusters.length > 0) ctx.out(table(rows));
  }
  return rollout.status === 'completed' ? 0 : 1;
}
