// The Kubernetes layer at scale against the fleet simulator: 1,000 clusters with 10% injected
// faults (500, 429 with Retry-After, hung requests, connection resets, 403). Transient faults
// are retried; a 403 is permanent and lands on its own cluster's outcome or cell; nothing else
// is affected. Cancellation stops a long run within a second, leaving each cluster untouched
// or fully written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog, type AppPublication, type SecretValues } from '../../../electron/core/kube/types.ts';
import type { RequestEvent } from '../../../electron/core/kube/http-client.ts';
import { spec, values } from './support.ts';

const CLUSTERS = 1000;

describe('Kubernetes layer on a simulated fleet of 1,000 clusters', () => {
  let fleet: Fleet;
  let kube: KubeService;
  const pubs: AppPublication[] = [];
  const vals = new Map<string, SecretValues>();
  const attempts: RequestEvent[] = [];

  beforeAll(async () => {
    fleet = await startFleet({ clusters: CLUSTERS, latency: { fixedMs: 3, jitterMs: 3 } });
    const labels = memoryLabelStore(Object.fromEntries(fleet.contexts.map((c) => [c, { env: 'prod' }])));
    kube = createKubeService({
      sources: () => ({ kubeconfigEnv: fleet.kubeconfigPath }),
      limits: () => ({ concurrency: 32, requestTimeoutSeconds: 1 }),
      labels,
      catalog: () => memoryCatalog(pubs, vals),
      scans: memoryScanStore(),
      observer: (e) => attempts.push({ ...e, body: null }),
      requestTimeoutMs: 1000,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      maxRetries: 8,
      // Faults here are transient (10% of requests): retry them like 5xx, so the circuit never opens.
      networkRetries: 8,
    });
    const s = spec('fleet-app', { namespace: 'default', createNamespace: false, versionId: 'fv1', keys: ['A', 'B'] });
    vals.set('fv1', values('fv1', { A: 'alpha-1', B: 'beta-1' }));
    pubs.push({ app: 'fleet-app', targeting: { selector: 'env=prod', include: [], exclude: [] }, published: [...fleet.contexts], secrets: [s] });
  }, 120_000);
  afterAll(async () => {
    kube?.close();
    await fleet?.stop();
  });

  const forbiddenIn = (ctx: string) => fleet.faultLog(ctx).filter((f) => f.kind === 'forbidden403');

  it('provisions through 10% faults: transient ones retried, 403s reported on their own cluster', async () => {
    fleet.setFaults({ rate: 0.1, seed: 7, retryAfterSeconds: 1 });
    const started = Date.now();
    const outcomes = await kube.provision({ app: 'fleet-app' });
    const elapsed = Date.now() - started;
    expect(outcomes).toHaveLength(CLUSTERS);
    const failed = outcomes.filter((o) => !o.ok);
    for (const o of failed) {
      expect(o.error?.code, `${o.cluster}: ${o.error?.message}`).toBe('FORBIDDEN');
      expect(forbiddenIn(o.cluster).length).toBeGreaterThan(0);
    }
    for (const o of outcomes.filter((x) => x.ok)) {
      const live = fleet.clusterState(o.cluster).secrets.find((s: any) => s.metadata.name === 'fleet-app-secret') as any;
      expect(live?.metadata.annotations['tessera.dev/version-id']).toBe('fv1');
    }
    // Every cluster without an injected 403 succeeded.
    for (const o of outcomes) if (forbiddenIn(o.cluster).length === 0) expect(o.ok, `${o.cluster}: ${o.error?.message}`).toBe(true);
    const stats = fleet.stats();
    expect(stats.faults.error500 ?? 0).toBeGreaterThan(0);
    expect(stats.faults.throttle429 ?? 0).toBeGreaterThan(0);
    expect(stats.faults.timeout ?? 0).toBeGreaterThan(0);
    expect(stats.faults.reset ?? 0).toBeGreaterThan(0);
    // Every transient failure was followed by another attempt of the same request.
    const transient = attempts.filter((a) => a.failure !== null || a.status === 429 || (a.status ?? 0) >= 500);
    expect(transient.length).toBeGreaterThan(0);
    for (const t of transient) {
      expect(attempts.some((a) => a.cluster === t.cluster && a.method === t.method && a.path === t.path && a.attempt === t.attempt + 1)).toBe(true);
    }
    console.info(
      `[fleet] provision of ${CLUSTERS} clusters: ${elapsed} ms, ${stats.requests} requests, faults ${JSON.stringify(stats.faults)}, ${failed.length} clusters refused (403)`,
    );
  }, 300_000);

  it('scans through 10% faults: cells in-sync, missing where provision was refused, forbidden only with a 403', async () => {
    fleet.setFaults({ rate: 0.1, seed: 11, retryAfterSeconds: 1 });
    fleet.resetStats();
    attempts.length = 0;
    const started = Date.now();
    const result = await kube.scan();
    const elapsed = Date.now() - started;
    expect(result.cells).toHaveLength(CLUSTERS);
    const counts: Record<string, number> = {};
    for (const cell of result.cells) {
      counts[cell.state] = (counts[cell.state] ?? 0) + 1;
      expect(['in-sync', 'missing', 'forbidden'], `${cell.cluster}: ${cell.state} ${cell.reason}`).toContain(cell.state);
      if (cell.state === 'forbidden') expect(forbiddenIn(cell.cluster).length).toBeGreaterThan(0);
    }
    // No Secret data crossed the wire: only metadata lists.
    expect(attempts.every((a) => a.method === 'GET' && a.accept.includes('PartialObjectMetadataList'))).toBe(true);
    console.info(`[fleet] scan of ${CLUSTERS} clusters: ${elapsed} ms, ${fleet.stats().requests} requests, cells ${JSON.stringify(counts)}`);
  }, 300_000);

  it('cancellation stops a long run within a second; every cluster is untouched or fully written', async () => {
    fleet.setFaults(undefined);
    fleet.setLatency({ fixedMs: 150, jitterMs: 50 });
    vals.set('fv2', values('fv2', { A: 'alpha-2', B: 'beta-2' }));
    pubs[0]!.secrets = [spec('fleet-app', { namespace: 'default', createNamespace: false, versionId: 'fv2', keys: ['A', 'B'] })];
    const controller = new AbortController();
    const running = kube.provision({ app: 'fleet-app' }, controller.signal);
    await new Promise((r) => setTimeout(r, 1500));
    const abortedAt = Date.now();
    controller.abort();
    const outcomes = await running;
    const stopMs = Date.now() - abortedAt;
    expect(stopMs).toBeLessThan(1000);
    const cancelled = outcomes.filter((o) => o.error?.code === 'CANCELLED').length;
    const written = outcomes.filter((o) => o.ok).length;
    expect(cancelled).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 400)); // let requests the server already accepted land
    let v1 = 0;
    let v2 = 0;
    for (const ctx of fleet.contexts) {
      const live = fleet.clusterState(ctx).secrets.find((s: any) => s.metadata.name === 'fleet-app-secret') as any;
      if (!live) continue; // refused by a 403 earlier: untouched
      const version = live.metadata.annotations['tessera.dev/version-id'];
      const a = Buffer.from(live.data.A, 'base64').toString();
      const b = Buffer.from(live.data.B, 'base64').toString();
      if (version === 'fv1') {
        expect([a, b]).toEqual(['alpha-1', 'beta-1']);
        v1++;
      } else {
        expect(version).toBe('fv2');
        expect([a, b]).toEqual(['alpha-2', 'beta-2']);
        v2++;
      }
    }
    expect(v2).toBeGreaterThanOrEqual(written);
    console.info(`[fleet] cancelled after 1.5 s: stopped in ${stopMs} ms; ${written} written, ${cancelled} cancelled; live fv1=${v1} fv2=${v2}`);
  }, 120_000);
});
