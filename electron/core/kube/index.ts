// The Kubernetes layer: what the rest of the core (handlers, the rollout layer) may use.
export { createKubeService, type KubeService, type KubeServiceOptions, type TargetInput } from './kube-service.ts';
export { provisionVersion, deprovisionSecret, type ProvisionOptions, type SecretOutcome } from './provision.ts';
export { verifySecret } from './verify.ts';
export { probeCluster } from './probe.ts';
export { cellsForCluster, compareSecret, isTargeted, listManagedSecrets } from './scan.ts';
export { createKubeClient, type CircuitState, type KubeClient, type RequestObserver, type RequestEvent } from './http-client.ts';
export { createClusterRegistry, memoryLabelStore, type ClusterLabelStore, type ClusterRegistry } from './registry.ts';
export { sqliteScanStore, memoryScanStore, type ScanStore } from './scan-store.ts';
export { isOwned, memoryOwnership, sqliteOwnership, type OwnedSecret, type SecretOwnership } from './ownership.ts';
export { listKubeContexts, loadKubeconfig, kubeconfigFileList, type KubeconfigSources } from './kubeconfig-files.ts';
export { EMPTY_CATALOG, memoryCatalog, type AppPublication, type KubeCatalog, type SecretSpec, type SecretValues, type WorkloadRef } from './types.ts';
export { createKube, type KubeDeps } from './create.ts';
