// Adapters from the vault to what the Kubernetes layer needs: published apps with the latest
// version of each secret, values handed over inside the vault's withVersion callback (zeroed
// when it returns), and cluster labels in the vault's clusters table (changes are audited).
import type { VaultService } from '../vault/index.ts';
import type { ClusterLabelStore } from './registry.ts';
import type { AppPublication, KubeCatalog, SecretSpec } from './types.ts';

export function vaultCatalog(vault: () => VaultService): KubeCatalog {
  return {
    async publications() {
      const v = vault();
      const out: AppPublication[] = [];
      for (const app of v.apps.list()) {
        const states = v.apps.publications(app.id);
        const secrets: SecretSpec[] = [];
        for (const s of v.secrets.listForApp(app.id)) {
          const latest = v.secrets.version(s.id);
          if (!latest) continue; // nothing written yet: nothing to provision
          secrets.push({
            app: app.name,
            name: s.name,
            namespace: app.namespace,
            createNamespace: s.createNamespace,
            versionId: latest.id,
            keys: [...latest.keyNames].sort(),
            delivery: s.delivery,
            mountPath: s.mountPath,
            workload: s.workload ? { kind: s.workload.kind, name: s.workload.name, container: s.workload.container } : null,
          });
        }
        out.push({
          app: app.name,
          targeting: {
            selector: app.targeting.selector,
            include: app.targeting.include,
            exclude: app.targeting.exclude,
          },
          published: states.filter((p) => p.state === 'published').map((p) => p.cluster),
          secrets,
        });
      }
      return out;
    },
    withValues(spec, fn) {
      return vault().withVersion(spec.versionId, (opened) => fn({ versionId: opened.version.id, keys: new Map(opened.entries.map((e) => [e.name, e.value])) }));
    },
  };
}

export function vaultLabelStore(vault: () => VaultService): ClusterLabelStore {
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
