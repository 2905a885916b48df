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
    if (ctx.json) {
      printJson(ctx, {
        scanId: result.scanId,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        apps: result.apps,
        clusters: result.clusters,
        cells: result.cells.map((c) => ({ app: c.app, cluster: c.cluster, state: c.state, reason: c.reason, secrets: c.secrets })),
      });
    } else if (result.apps.length === 0) {
      ctx.out(`No apps published and no managed Secrets found on ${result.clusters.length} cluster(s).`);
    } else {
      ctx.out(table([['APP', 'CLUSTER', 'STATE', 'REASON'], ...result.cells.map((c) => [c.app, c.cluster, c.state, c.reason])]));
    }
    return result.cells.some((c) => c.state === 'error' || c.state === 'unreachable') ? 1 : 0;
  },
};
