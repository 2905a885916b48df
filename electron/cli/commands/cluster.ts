// tessera cluster label <context> k=v … [k-]: set and remove a cluster's labels, like kubectl label.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { Command } from '../command.ts';
import { call, printJson } from '../output.ts';

export const clusterLabelCommand: Command = {
  name: 'cluster label',
  summary: 'Set (k=v) and remove (k-) labels of a cluster',
  usage: 'tessera cluster label <context> k=v … [k-] [--json]',
  async run(ctx) {
    const [cluster, ...changes] = ctx.positionals;
    if (!cluster || changes.length === 0) throw new TesseraError('INVALID_INPUT', 'Usage: tessera cluster label <context> k=v … [k-]', { field: 'labels' });
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const change of changes) {
      const eq = change.indexOf('=');
      if (eq > 0) set[change.slice(0, eq)] = change.slice(eq + 1);
      else if (change.endsWith('-') && change.length > 1) remove.push(change.slice(0, -1));
      else throw new TesseraError('INVALID_INPUT', `"${change}" is neither k=v (set) nor k- (remove).`, { field: 'labels' });
    }
    const view = await call(ctx, 'kube.setLabels', { cluster, set, remove });
    if (ctx.json) printJson(ctx, view);
    else
      ctx.out(
        `${view.name}: ${
          Object.entries(view.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '(no labels)'
        }`,
      );
    return 0;
  },
};
