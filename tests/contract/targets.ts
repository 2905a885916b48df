// Targets for the Kubernetes contract suite: the fleet simulator (always) and a real
// kube-apiserver + etcd from tests/controlplane/harness.ts (when its binaries exist).
// Both expose the same three users: admin (everything), limited (all on Secrets, get/patch on
// Deployments, only in the limited namespace) and viewer (namespaces/deployments read-only).
import { readFileSync } from 'node:fs';
import { findControlPlaneAssets, startControlPlane } from '../controlplane/harness.ts';
import { startFleet } from '../fleet/simulator.ts';
import { KubeClient } from './client.ts';

export interface ContractTarget {
  name: string;
  kind: 'simulator' | 'real';
  admin: KubeClient;
  limited: KubeClient;
  viewer: KubeClient;
  limitedNamespace: string;
  kubeconfigPath: string;
  adminContext: string;
  stop(): Promise<void>;
}

export async function simulatorTarget(): Promise<ContractTarget> {
  const fleet = await startFleet({ clusters: 2 });
  const ctx = fleet.context(0);
  const ca = fleet.caFile ? readFileSync(fleet.caFile) : undefined;
  const t = fleet.tokens(ctx);
  const mk = (token: string): KubeClient => new KubeClient(fleet.server(ctx), token, ca);
  const admin = mk(t.admin);
  const limited = mk(t.limited);
  const viewer = mk(t.viewer);
  return {
    name: 'simulator',
    kind: 'simulator',
    admin,
    limited,
    viewer,
    limitedNamespace: fleet.limitedNamespace,
    kubeconfigPath: fleet.kubeconfigPath,
    adminContext: ctx,
    async stop() {
      for (const c of [admin, limited, viewer]) c.close();
      await fleet.stop();
    },
  };
}

export function realTargetSkipReason(): string | undefined {
  try {
    const found = findControlPlaneAssets();
    return 'skipReason' in found ? found.skipReason : undefined;
  } catch (e) {
    return `control-plane harness failed: ${(e as Error).message}`;
  }
}

export async function realTarget(): Promise<ContractTarget> {
  const cp = await startControlPlane({ clusters: 1 });
  const c = cp.clusters[0];
  if (!c) throw new Error('the control plane started no cluster');
  const ca = readFileSync(c.caFile);
  const admin = new KubeClient(c.server, c.tokens.admin, ca);
  const limited = new KubeClient(c.server, c.tokens.limited, ca);
  const viewer = new KubeClient(c.server, c.tokens.viewer, ca);
  return {
    name: `real control plane (${c.name}, started in ${cp.startupMs} ms)`,
    kind: 'real',
    admin,
    limited,
    viewer,
    limitedNamespace: c.limitedNamespace,
    kubeconfigPath: cp.kubeconfigPath,
    adminContext: c.contexts.admin,
    async stop() {
      for (const x of [admin, limited, viewer]) x.close();
      await cp.stop();
    },
  };
}
