// tessera scan: the app × cluster matrix (metadata-only lists), as a table or JSON.
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Scan managed Secrets on every cluster and print the app × cluster matrix',
  usage: 'tessera scan [--cluster <context>]… [--json]',
  options: { cluster: { type: 'string', multiple: true } },
  async run(ctx) {
    const clusters = (ctx.values.cluster as string[] | undefined) ?? [];
    const result = await call(ctx, 'kube.scan', clusters.length > 0 ? { clusters } : {});
    const reach = result.reachability ?? result.clusters.map((cluster) => ({ cluster, state: 'reachable' as const, reason: null }));
    if (ctx.json) {
      printJson(ctx, {
        scanId: result.scanId,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        apps: result.apps,
        clusters: result.clusters,
        reachability: reach,
        cells: result.cells.map((c) => ({ app: c.app, cluster: c.cluster, state: c.state, reason: c.reason, secrets: c.secrets })),
      });
    } else {
      // Every cluster's reachability first: "nothing found" means something only where Tessera could look.
      ctx.out(table([['CLUSTER', 'REACHABILITY', 'REASON'], ...reach.map((r) => [r.cluster, r.state, r.reason ?? ''])]));
      const listed = reach.filter((r) => r.state === 'reachable').length;
      if (result.apps.length === 0) {
        ctx.out(
          listed === reach.length
            ? `No apps published and no managed Secrets found on ${listed} cluster(s).`
            : `No apps published and no managed Secrets found on the ${listed} cluster(s) that could be listed; ${reach.length - listed} could not be listed, so what they hold is unknown.`,
        );
      } else {
        ctx.out('');
        ctx.out(table([['APP', 'CLUSTER', 'STATE', 'REASON'], ...result.cells.map((c) => [c.app, c.cluster, c.state, c.reason])]));
      }
    }
    const failed = reach.some((r) => r.state !== 'reachable') || result.cells.some((c) => c.state === 'error' || c.state === 'unreachable');
    return failed ? 1 : 0;
  },
};
