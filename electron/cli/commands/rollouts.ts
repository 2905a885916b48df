// tessera rollouts: history, newest first; interrupted ones are marked and can be resumed.
import type { Command, CommandContext } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { printRollout } from './rollout-shared.ts';

/** Prints a line every 50 steps (and failures) while a rollout runs; returns the unsubscribe. */
export function progressPrinter(ctx: CommandContext): () => void {
  if (ctx.json) return () => undefined;
  return ctx.core().events.subscribe((m) => {
    if (m.event !== 'rollout.progress') return;
    const p = m.payload as { cluster: string; state: string; done: number; failed: number; total: number; error: { code: string } | null };
    if (p.state === 'failed') ctx.err(`failed on ${p.cluster}: ${p.error?.code ?? ''}`);
    else if (p.state === 'done' && (p.done % 50 === 0 || p.done === p.total)) ctx.err(`${p.done}/${p.total} done`);
  });
}

export const rolloutsCommand: Command = {
  name: 'rollouts',
  summary: 'Rollout history (interrupted ones can be resumed with tessera apply --resume <id>); --id shows one',
  usage: 'tessera rollouts [--id <rollout-id>] [--limit N] [--json]',
  options: { id: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    if (typeof ctx.values.id === 'string') {
      printRollout(ctx, await call(ctx, 'rollout.get', { rolloutId: ctx.values.id }));
      return 0;
    }
    const limit = typeof ctx.values.limit === 'string' ? Number(ctx.values.limit) : 50;
    const rollouts = await call(ctx, 'rollout.list', { limit });
    if (ctx.json) printJson(ctx, rollouts);
    else if (rollouts.length === 0) ctx.out('No rollouts yet.');
    else {
      const rows = [['ID', 'STATUS', 'PLAN', 'BY', 'STARTED', 'DONE', 'FAILED', 'PENDING', 'UNWRAPS']];
      for (const r of rollouts)
        rows.push([
          r.id,
          r.status,
          r.planHash.slice(0, 12),
          r.requester,
          r.startedAt,
          `${r.done}/${r.total}`,
          String(r.failed),
          String(r.pending),
          String(r.unwraps),
        ]);
      ctx.out(table(rows));
    }
    return 0;
  },
};
