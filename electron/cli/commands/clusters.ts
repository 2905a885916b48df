// tessera clusters: every kubeconfig context as a cluster, with its labels from the store.
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';

export const clustersCommand: Command = {
  name: 'clusters',
  summary: 'List clusters (kubeconfig contexts) with their labels',
  usage: 'tessera clusters [--json]',
  async run(ctx) {
    const clusters = await call(ctx, 'kube.clusters', {});
    if (ctx.json) {
      printJson(ctx, clusters);
      return 0;
    }
    if (clusters.length === 0) {
      ctx.out('No kubeconfig contexts found. Set KUBECONFIG, pass --kubeconfig, or add files in Settings.');
      return 0;
    }
    const labels = (l: Record<string, string>) =>
      Object.entries(l)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '-';
    ctx.out(
      table([['NAME', 'SERVER', 'AUTH', 'LABELS', 'PROBLEM'], ...clusters.map((c) => [c.name, c.server ?? '-', c.auth, labels(c.labels), c.problem ?? ''])]),
    );
    return 0;
  },
};
