// kube.* channels: contexts, clusters and labels, probe, scan, provision, deprovision, verify.
import { compactMatrix } from '../../kube/compact.ts';
import { listKubeContexts } from '../../kube/kubeconfig-files.ts';
import type { KubeService, KubeconfigSources } from '../../kube/index.ts';
import type { Handlers } from '../dispatcher.ts';

type KubeChannel =
  | 'kube.contexts'
  | 'kube.clusters'
  | 'kube.setLabels'
  | 'kube.probe'
  | 'kube.scan'
  | 'kube.lastScan'
  | 'kube.matrix'
  | 'kube.scanMatrix'
  | 'kube.cell'
  | 'kube.provision'
  | 'kube.deprovision'
  | 'kube.verify';

export function kubeHandlers(s: { kube: () => KubeService; kubeconfigSources: () => KubeconfigSources }): Pick<Handlers, KubeChannel> {
  return {
    'kube.contexts': async () => listKubeContexts(s.kubeconfigSources()),
    'kube.clusters': async () => s.kube().clusters(),
    'kube.setLabels': async ({ cluster, set, remove }) => s.kube().setLabels(cluster, set, remove),
    'kube.probe': async ({ clusters }, ctx) => s.kube().probe(clusters, ctx.signal),
    'kube.scan': async ({ clusters }, ctx) => s.kube().scan(clusters, ctx.signal),
    'kube.lastScan': async () => s.kube().lastScan(),
    'kube.matrix': async () => {
      const last = s.kube().lastScan();
      return last ? compactMatrix(last) : null;
    },
    'kube.scanMatrix': async ({ clusters }, ctx) => compactMatrix(await s.kube().scan(clusters, ctx.signal)),
    'kube.cell': async ({ app, cluster }) =>
      s
        .kube()
        .lastScan()
        ?.cells.find((c) => c.app === app && c.cluster === cluster) ?? null,
    'kube.provision': async ({ app, clusters, selector, overwrite }, ctx) => s.kube().provision({ app, clusters, selector, overwrite }, ctx.signal),
    'kube.deprovision': async ({ app, clusters, selector }, ctx) => s.kube().deprovision({ app, clusters, selector }, ctx.signal),
    'kube.verify': async ({ cells }, ctx) => s.kube().verify(cells, ctx.signal),
  };
}
