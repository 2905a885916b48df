// The circuit breaker per cluster, against the fleet simulator with one site taken offline: the
// first call finds it unreachable after a few quick attempts, later calls fail at once without
// touching the network, and once it is back one probe after the cool-down closes the circuit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog } from '../../../electron/core/kube/types.ts';

describe('circuit breaker per cluster', () => {
  let fleet: Fleet;
  let kube: KubeService;
  const COOLDOWN = 1500;

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 3, latency: { fixedMs: 2, jitterMs: 1 } });
    kube = createKubeService({
      sources: () => ({ kubeconfigEnv: fleet.kubeconfigPath }),
      limits: () => ({ concurrency: 8, requestTimeoutSeconds: 2 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog([]),
      scans: memoryScanStore(),
      circuitCooldownMs: COOLDOWN,
    });
  }, 60_000);
  afterAll(async () => {
    kube?.close();
    await fleet?.stop();
  });

  it('fails fast while a site is offline and closes again after it returns', async () => {
    const site = fleet.context(1);
    fleet.setOffline(site, true);
    let started = Date.now();
    const first = await kube.scan([site]);
    const firstMs = Date.now() - started;
    expect(first.cells.every((c) => c.state === 'unreachable')).toBe(true);
    const hitsAfterFirst = fleet.offlineHits(site);
    expect(hitsAfterFirst).toBeGreaterThanOrEqual(1);
    expect(hitsAfterFirst).toBeLessThanOrEqual(4);
    expect(firstMs).toBeLessThan(5000);
    expect(kube.registry.client(site).circuit()).toMatchObject({ state: 'open' });

    // While open: no request reaches the network, and the answer says when Tessera tries again.
    started = Date.now();
    const probes = await kube.probe([site]);
    expect(Date.now() - started).toBeLessThan(200);
    expect(probes[0]!.error).toMatchObject({ code: 'UNREACHABLE', details: { circuit: 'open' } });
    expect(fleet.offlineHits(site)).toBe(hitsAfterFirst);
    // Other clusters are not affected.
    expect((await kube.probe([fleet.context(0)]))[0]!.reachable).toBe(true);

    fleet.setOffline(site, false);
    await new Promise((r) => setTimeout(r, COOLDOWN + 100));
    const back = await kube.probe([site]);
    expect(back[0]!.reachable).toBe(true);
    expect(kube.registry.client(site).circuit()).toMatchObject({ state: 'closed', openUntil: null });
  });
});
