// Creates the Kubernetes layer from what it needs: kubeconfig sources and limits (read from
// settings on each use), the cluster labels and the catalog as ports, and where scans are kept.
import type { EventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeconfigSources } from './kubeconfig-files.ts';
import { createKubeService, type KubeService } from './kube-service.ts';
import type { ClusterLabelStore } from './registry.ts';
import type { SecretOwnership } from './ownership.ts';
import type { ScanStore } from './scan-store.ts';
import type { KubeCatalog } from './types.ts';

export interface KubeDeps {
  sources: () => KubeconfigSources;
  limits: () => { concurrency: number; requestTimeoutSeconds: number };
  labels: ClusterLabelStore;
  catalog: () => KubeCatalog;
  scans: ScanStore;
  /** Tessera's record of the Secrets it created or adopted. */
  ownership: SecretOwnership;
  events: EventBus;
  log: Logger;
  /** Long-running hosts follow kubeconfig changes; the CLI reads once. */
  watch: boolean;
  /** How long an unreachable cluster is not called again (default 15 s). */
  circuitCooldownMs?: number | undefined;
  onClose(fn: () => void): void;
}

export function createKube(deps: KubeDeps): KubeService {
  const { onClose, circuitCooldownMs, ...options } = deps;
  const kube = createKubeService({ ...options, ...(circuitCooldownMs === undefined ? {} : { circuitCooldownMs }) });
  onClose(() => kube.close());
  return kube;
}
