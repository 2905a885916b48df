// The ports the Kubernetes layer needs, implemented over the vault: published apps with the
// latest version of each secret, values handed over inside the vault's withVersion callback
// (zeroed when it returns), and cluster labels in the vault's clusters table (changes are
// audited). The kube layer knows only these ports, never the vault.
import type { ClusterLabelStore, KubeCatalog } from '../kube/index.ts';
import type { VaultService } from '../vault/index.ts';

/** The vault's part of a KubeCatalog: what vaultCatalog calls. */
export type CatalogVault = Pick<VaultService, 'publishedApps' | 'withVersion'>;

export function vaultCatalog(vault: () => CatalogVault): KubeCatalog {
  return {
    async publications() {
      return vault()
        .publishedApps()
        .map((a) => ({
          app: a.app,
          targeting: { selector: a.targeting.selector, include: a.targeting.include, exclude: a.targeting.exclude },
          published: a.published,
          secrets: a.secrets.map((s) => ({
            app: a.app,
            name: s.name,
            namespace: a.namespace,
            createNamespace: s.createNamespace,
            versionId: s.versionId,
            keys: [...s.keyNames].sort(),
            delivery: s.delivery,
            mountPath: s.mountPath,
            workload: s.workload ? { kind: s.workload.kind, name: s.workload.name, container: s.workload.container } : null,
          })),
        }));
    },
    withValues(spec, fn) {
      return vault().withVersion(spec.versionId, (opened) => fn({ versionId: opened.version.id, keys: new Map(opened.entries.map((e) => [e.name, e.value])) }));
    },
  };
}

export function vaultLabelStore(vault: () => Pick<VaultService, 'listClusters' | 'setCluster'>): ClusterLabelStore {
  return {
    all: () =>
      new Map(
        vault()
          .listClusters()
          .map((c) => [c.name, c.labels]),
      ),
    set: (cluster, labels, source) => void vault().setCluster(cluster, labels, source),
  };
}
