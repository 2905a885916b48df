// Scale: one secret rolled out to 1,000 simulated clusters through 5% transient faults (500s,
// 429s with Retry-After, hung requests, connection resets) completes with retries, one unwrap,
// and an outcome journaled for every cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import type { PlanView, RolloutView } from '../../../shared/contract/index.ts';
import { makeCore, value } from './support.ts';
import { fleetApp, VAULT_TOKEN } from './fleet-support.ts';

const skipReason = softHsmSkipReason();
const CLUSTERS = 1000;

describe.skipIf(skipReason !== null)('a rollout to 1,000 clusters with 5% transient faults', () => {
  let fleet: Fleet;
  let hsm: SoftHsm;
  let core: Core;
  let dir: string;

  beforeAll(async () => {
    fleet = await startFleet({ clusters: CLUSTERS, latency: { fixedMs: 3, jitterMs: 3 } });
    hsm = createSoftHsm([VAULT_TOKEN]);
    dir = mkdtempSync(join(tmpdir(), 'tessera-rollout-scale-'));
    core = makeCore(dir, hsm.module, fleet.kubeconfigPath);
    core.services.settings.set({ concurrency: 32, requestTimeoutSeconds: 2 });
    await fleetApp(core, fleet, hsm.tokens[0]!.serial, 'wide', 1);
  }, 180_000);
  afterAll(async () => {
    await core?.close();
    await fleet?.stop();
    hsm?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('completes with retries and reports every cluster', async () => {
    const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['wide'] } });
    expect(plan.counts.create).toBe(CLUSTERS);
    fleet.setFaults({ rate: 0.05, seed: 5, kinds: ['error500', 'throttle429', 'timeout', 'reset'], retryAfterSeconds: 1 });
    fleet.resetStats();
    const started = Date.now();
    let events = 0;
    const stop = core.events.subscribe((m) => {
      if (m.event === 'rollout.progress') events++;
    });
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash });
    stop();
    const elapsed = Date.now() - started;
    const stats = fleet.stats();
    fleet.setFaults(undefined);
    expect(rollout.clusters).toHaveLength(CLUSTERS);
    expect(rollout.status, JSON.stringify(rollout.clusters.filter((c) => c.state !== 'done').slice(0, 3))).toBe('completed');
    expect(rollout.unwraps).toBe(1);
    expect(rollout.clusters.every((c) => c.state === 'done')).toBe(true);
    expect(events).toBeGreaterThanOrEqual(2 * CLUSTERS);
    const faults = Object.values(stats.faults).reduce((a, b) => a + (b ?? 0), 0);
    expect(faults).toBeGreaterThan(0);
    for (const c of fleet.contexts) {
      const live = fleet.clusterState(c).secrets.find((s: any) => s.metadata.name === 'wide-s0') as any;
      expect(live?.metadata.annotations['tessera.dev/version-id']).toBe(plan.changes[0]!.versionId);
    }
    console.info(`[rollout scale] ${CLUSTERS} clusters in ${elapsed} ms, ${stats.requests} requests, faults ${JSON.stringify(stats.faults)}`);
  }, 600_000);
});
