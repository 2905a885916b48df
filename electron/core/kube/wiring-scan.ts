// The wiring half of a scan: for each targeted secret that wires a workload and whose Secret is
// live, one metadata-only GET of the workload (managedFields, never its spec), shared by every
// secret wired into it, then what each secret's manager no longer owns.
import type { WiringDrift } from '../../../shared/domain/cell-state.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { KubeClient } from './http-client.ts';
import { isTargeted, wiringKey, type ClusterListing } from './scan.ts';
import type { AppPublication } from './types.ts';
import { wiringDrift, workloadMetadata } from './wiring.ts';

export async function scanWiring(
  client: KubeClient,
  labels: Record<string, string>,
  publications: AppPublication[],
  listing: ClusterListing,
  signal?: AbortSignal,
): Promise<Map<string, WiringDrift | null>> {
  const out = new Map<string, WiringDrift | null>();
  if (listing.failure) return out;
  const live = new Set(listing.secrets.map((s) => `${s.app ?? ''}\u0000${s.namespace}\u0000${s.name}`));
  const reads = new Map<string, Promise<{ managedFields?: unknown } | null | 'unreadable'>>();
  const jobs: Promise<void>[] = [];
  for (const pub of publications) {
    if (!isTargeted(pub, client.cluster, labels)) continue;
    for (const spec of pub.secrets) {
      const ref = spec.workload;
      if (!ref || !live.has(wiringKey(pub.app, spec.namespace, spec.name))) continue;
      const at = `${spec.namespace}\u0000${ref.kind}\u0000${ref.name}`;
      if (!reads.has(at)) {
        reads.set(
          at,
          workloadMetadata(client, spec.namespace, ref, signal).catch((error: unknown) => {
            if (error instanceof TesseraError && error.code === 'CANCELLED') throw error;
            // A workload Tessera may not read (RBAC) or a kind it cannot wire: the Secret's own state stands.
            return 'unreadable' as const;
          }),
        );
      }
      jobs.push(
        reads.get(at)!.then((meta) => {
          if (meta !== 'unreadable') out.set(wiringKey(pub.app, spec.namespace, spec.name), wiringDrift(spec, meta));
        }),
      );
    }
  }
  await Promise.all(jobs);
  return out;
}
