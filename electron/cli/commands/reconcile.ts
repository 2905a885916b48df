// tessera reconcile: converge standing intents on a server that runs unattended — unmet steps
// of approved rollouts, tombstones of unpublications, expired publications — until stopped.
import type { Command } from '../command.ts';
import { printJson } from '../output.ts';
import { LOGIN_OPTIONS, MODULE_OPTIONS, addRunModules, unlockForRun } from './token-shared.ts';

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Retry unmet rollout steps and remove expired publications until stopped (--once: one pass)',
  usage: 'tessera reconcile [--token <label> --pin-env VAR] [--once] [--json]',
  options: { ...MODULE_OPTIONS, ...LOGIN_OPTIONS, once: { type: 'boolean' } },
  async run(ctx) {
    addRunModules(ctx);
    if (typeof ctx.values.token === 'string') await unlockForRun(ctx);
    const reconciler = ctx.core().services.reconciler();
    if (ctx.values.once === true) {
      const report = await reconciler.tick();
      const pending = reconciler.pending();
      if (ctx.json) printJson(ctx, { ...report, pending });
      else
        ctx.out(
          `Met ${report.met} step(s) on ${report.clusters} cluster(s); ${report.expired} publication(s) expired; waiting for ${report.waiting} cluster(s).`,
        );
      return report.waiting > 0 ? 1 : 0;
    }
    reconciler.start();
    ctx.err('Reconciling standing intents; stop with Ctrl-C.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await reconciler.stop();
    return 0;
  },
};
