// Creates the Kubernetes layer from the core's services: kubeconfig sources from the config,
// environment and settings; labels and apps from the vault; scans kept in the vault's database.
import type { Services } from '../services.ts';
import { createKubeService, type KubeService } from './kube-service.ts';
import { sqliteScanStore } from './scan-store.ts';
import { vaultCatalog, vaultLabelStore } from './vault-catalog.ts';

export function createKube(s: Services): KubeService {
  const kube = createKubeService({
    sources: () => ({ kubeconfigEnv: s.config.kubeconfig ?? s.env.KUBECONFIG, extraFiles: s.settings.get().kubeconfigFiles }),
    limits: () => {
      const settings = s.settings.get();
      return { concurrency: settings.concurrency, requestTimeoutSeconds: settings.requestTimeoutSeconds };
    },
    labels: vaultLabelStore(() => s.vault()),
    catalog: () => vaultCatalog(() => s.vault()),
    scans: sqliteScanStore(s.vault().db),
    events: s.events,
    log: s.log.child('kube'),
    // Long-running hosts follow kubeconfig changes; the CLI reads once.
    watch: s.config.host !== 'cli',
  });
  s.onClose(() => kube.close());
  return kube;
}
