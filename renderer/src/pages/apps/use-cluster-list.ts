// The clusters an app can target: kubeconfig contexts (kube.clusters) and clusters registered
// in the vault (vault.clusters), by name, with their labels.
import type { ContractError } from '../../../../shared/contract/index.ts';
import { useQuery } from '../../hooks/use-query.ts';

export interface ClusterChoice {
  name: string;
  labels: Record<string, string>;
  /** Whether a kubeconfig context of this name exists on this workstation. */
  inKubeconfig: boolean;
}

export interface UseClusterListResult {
  clusters: ClusterChoice[];
  loading: boolean;
  error: ContractError | undefined;
}

export function useClusterList(): UseClusterListResult {
  const kube = useQuery('kube.clusters', {});
  const vault = useQuery('vault.clusters', {});
  const byName = new Map<string, ClusterChoice>();
  for (const c of vault.data ?? []) byName.set(c.name, { name: c.name, labels: c.labels, inKubeconfig: false });
  for (const c of kube.data ?? []) byName.set(c.name, { name: c.name, labels: c.labels, inKubeconfig: true });
  return {
    clusters: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    loading: kube.loading || vault.loading,
    error: kube.error ?? vault.error,
  };
}
