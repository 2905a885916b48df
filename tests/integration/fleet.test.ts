// The fleet simulator at scale, with faults and latency, and driven by kubectl.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../contract/client.ts';
import { ALL_FAULTS, faultFor, startFleet } from '../fleet/simulator.ts';
import type { FaultKind, FaultOptions, Fleet } from '../fleet/simulator.ts';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const kubectlMissing = spawnSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' }).error !== undefined;
if (kubectlMissing) console.log(`fleet: kubectl tests skipped: "${KUBECTL}" is not on PATH`);

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

function clientsFor(fleet: Fleet, agent: https.Agent): Map<string, KubeClient> {
  const ca = fleet.caFile ? readFileSync(fleet.caFile) : undefined;
  return new Map(fleet.contexts.map((c) => [c, new KubeClient(fleet.server(c), fleet.token(c), ca, agent)]));
}

describe('fleet simulator at scale', () => {
  let fleet: Fleet;
  let agent: https.Agent;
  afterAll(async () => {
    agent?.destroy();
    await fleet?.stop();
  });

  it('starts 2,000 clusters in one process and lists a namespace on each', async () => {
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    fleet = await startFleet({ clusters: 2000 });
    const upMs = performance.now() - t0;
    expect(fleet.contexts).toHaveLength(2000);
    expect(new Set(fleet.contexts).size).toBe(2000);
    const kc = readFileSync(fleet.kubeconfigPath, 'utf8');
    expect(kc).toContain(`name: "${fleet.context(1999)}"`);
    agent = new https.Agent({ ca: fleet.caFile ? readFileSync(fleet.caFile) : undefined, keepAlive: true, maxSockets: 32 });
    const clients = clientsFor(fleet, agent);
    const t1 = performance.now();
    const seen = new Set<string>();
    await pool(fleet.contexts, 32, async (ctx) => {
      const r = await clients
        .get(ctx)!
        .get('/api/v1/namespaces/default/secrets', { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('PartialObjectMetadataList');
      const ns = await clients.get(ctx)!.get('/api/v1/namespaces/default');
      expect(ns.body.metadata.name).toBe('default');
      seen.add(ns.body.metadata.uid);
    });
    const listMs = performance.now() - t1;
    expect(seen.size).toBe(2000); // every cluster has its own objects
    const rss = process.memoryUsage().rss;
    const s = fleet.stats();
    expect(s.requests).toBe(4000);
    expect(s.perCluster.every((c) => c.requests === 2 && c.bytesSent > 0)).toBe(true);
    console.log(
      `fleet: 2000 clusters up in ${Math.round(upMs)} ms, listed (metadata-only secrets + get namespace, 32 in flight, HTTPS keep-alive) in ${Math.round(listMs)} ms, ` +
        `rss ${Math.round(rss / 2 ** 20)} MiB (+${Math.round((rss - rss0) / 2 ** 20)} MiB), ${s.requests} requests, ${Math.round(s.bytesSent / 1024)} KiB sent`,
    );
  });
});

type Outcome = FaultKind | `ok:${number}`;

async function drive(
  opts: FaultOptions,
  clusters: number,
  requests: number,
): Promise<{ outcomes: Map<string, Outcome[]>; logs: Map<string, FaultKind[]>; fleet: Fleet }> {
  const fleet = await startFleet({ clusters, faults: opts });
  const ca = fleet.caFile ? readFileSync(fleet.caFile) : undefined;
  const outcomes = new Map<string, Outcome[]>();
  const logs = new Map<string, FaultKind[]>();
  try {
    await Promise.all(
      fleet.contexts.map(async (ctx) => {
        // a fresh client per request: a reset or an abandoned hang must not poison the next one
        const seq: Outcome[] = [];
        for (let i = 0; i < requests; i++) {
          const c = new KubeClient(fleet.server(ctx), fleet.token(ctx), ca);
          c.timeoutMs = 300;
          try {
            const r = await c.get('/api/v1/namespaces/default/secrets');
            if (r.status === 500) seq.push('error500');
            else if (r.status === 429) {
              expect(r.headers['retry-after']).toBe('1');
              expect(r.body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
              seq.push('throttle429');
            } else if (r.status === 403) seq.push('forbidden403');
            else seq.push(`ok:${r.status}`);
          } catch (e) {
            seq.push(/timeout/.test((e as Error).message) ? 'timeout' : 'reset');
          } finally {
            c.close();
          }
        }
        outcomes.set(ctx, seq);
        logs.set(
          ctx,
          fleet.faultLog(ctx).map((f) => f.kind),
        );
      }),
    );
  } finally {
    await fleet.stop();
  }
  return { outcomes, logs, fleet };
}

describe('fault injection', () => {
  const opts: FaultOptions = { rate: 0.3, seed: 42, kinds: ALL_FAULTS };

  it('is reproducible: same seed → same faults in the same order; another seed → different', async () => {
    const a = await drive(opts, 4, 40);
    const b = await drive(opts, 4, 40);
    const c = await drive({ ...opts, seed: 43 }, 4, 40);
    const flat = (m: Map<string, Outcome[]>): string => JSON.stringify([...m.entries()].sort());
    expect(flat(a.outcomes)).toBe(flat(b.outcomes));
    expect(flat(a.outcomes)).not.toBe(flat(c.outcomes));
    // the outcomes are exactly what the pure function predicts, per cluster and request number
    const ctxs = [...a.outcomes.keys()].sort();
    ctxs.forEach((ctx, idx) => {
      const predicted = Array.from({ length: 40 }, (_, n) => faultFor(opts, idx, n) ?? 'ok:200');
      expect(a.outcomes.get(ctx)).toEqual(predicted);
      expect(a.logs.get(ctx)).toEqual(predicted.filter((x) => !x.startsWith('ok:')));
    });
    const all = [...a.outcomes.values()].flat();
    const faults = all.filter((x) => !x.startsWith('ok:'));
    expect(faults.length / all.length).toBeGreaterThan(0.15);
    expect(faults.length / all.length).toBeLessThan(0.45);
    for (const k of ALL_FAULTS) expect(faults).toContain(k);
    console.log(
      `fleet: faults seed 42 rate 0.3: ${faults.length}/${all.length} requests failed: ${JSON.stringify(Object.fromEntries(ALL_FAULTS.map((k) => [k, faults.filter((f) => f === k).length])))}`,
    );
  });

  it('is deterministic under concurrency (the n-th request of a cluster gets the same fault)', async () => {
    const fleet = await startFleet({ clusters: 2, faults: { rate: 0.5, seed: 7, kinds: ['error500', 'throttle429', 'forbidden403'] } });
    try {
      const ca = fleet.caFile ? readFileSync(fleet.caFile) : undefined;
      const ctx = fleet.context(1);
      const c = new KubeClient(fleet.server(ctx), fleet.token(ctx), ca);
      await Promise.all(Array.from({ length: 60 }, () => c.get('/api/v1/namespaces/default/secrets')));
      c.close();
      const predicted = Array.from({ length: 60 }, (_, n) => faultFor({ rate: 0.5, seed: 7, kinds: ['error500', 'throttle429', 'forbidden403'] }, 1, n)).filter(
        (x) => x !== undefined,
      );
      expect(fleet.faultLog(ctx).map((f) => f.kind)).toEqual(predicted);
      expect(fleet.faultLog(ctx).map((f) => f.n)).toEqual([...fleet.faultLog(ctx).map((f) => f.n)].sort((x, y) => x - y));
      expect(fleet.stats().perCluster[0]?.requests).toBe(0);
    } finally {
      await fleet.stop();
    }
  });

  it('faults can be switched on and off at run time; discovery is spared by default', async () => {
    const fleet = await startFleet({ clusters: 1 });
    try {
      const ctx = fleet.context(0);
      const c = new KubeClient(fleet.server(ctx), fleet.token(ctx), fleet.caFile ? readFileSync(fleet.caFile) : undefined);
      fleet.setFaults({ rate: 1, seed: 1, kinds: ['error500'] });
      expect((await c.get('/api/v1/namespaces/default/secrets')).status).toBe(500);
      expect((await c.get('/api/v1')).status).toBe(200);
      expect((await c.get('/version')).status).toBe(200);
      fleet.setFaults(undefined);
      expect((await c.get('/api/v1/namespaces/default/secrets')).status).toBe(200);
      fleet.setPolicy(ctx, { denySecrets: 'all' });
      expect((await c.get('/api/v1/namespaces/default/secrets')).status).toBe(403);
      c.close();
    } finally {
      await fleet.stop();
    }
  });
});

describe('latency injection', () => {
  it('adds roughly fixed ± jitter ms per request', async () => {
    const measure = async (latency?: { fixedMs: number; jitterMs: number }): Promise<{ mean: number; min: number; max: number }> => {
      const fleet = await startFleet({ clusters: 1, latency });
      const ctx = fleet.context(0);
      const c = new KubeClient(fleet.server(ctx), fleet.token(ctx), fleet.caFile ? readFileSync(fleet.caFile) : undefined);
      await c.get('/api/v1/namespaces/default'); // warm the connection
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await c.get('/api/v1/namespaces/default/secrets');
        times.push(performance.now() - t0);
      }
      c.close();
      await fleet.stop();
      return { mean: times.reduce((a, b) => a + b, 0) / times.length, min: Math.min(...times), max: Math.max(...times) };
    };
    const base = await measure();
    const slow = await measure({ fixedMs: 50, jitterMs: 10 });
    console.log(
      `fleet: latency none → mean ${base.mean.toFixed(1)} ms; 50±10 ms → mean ${slow.mean.toFixed(1)} ms (min ${slow.min.toFixed(1)}, max ${slow.max.toFixed(1)})`,
    );
    expect(base.mean).toBeLessThan(20);
    expect(slow.min).toBeGreaterThanOrEqual(39);
    expect(slow.mean).toBeGreaterThan(42);
    expect(slow.mean).toBeLessThan(80);
  });
});

describe('@kubernetes/client-node against the simulator', () => {
  it('loads the generated kubeconfig and creates, applies, lists and deletes through a path-prefixed server', async () => {
    const k8s = await import('@kubernetes/client-node');
    const fleet = await startFleet({ clusters: 3 });
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(fleet.kubeconfigPath);
      expect(kc.getContexts()).toHaveLength(3);
      kc.setCurrentContext(fleet.context(2));
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const created = await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'cn', labels: { 'app.kubernetes.io/managed-by': 'tessera' } }, stringData: { a: 'b' } },
      });
      expect(created.metadata?.uid).toBeTruthy();
      const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
      const applied = await objects.patch(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'cn2', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'tessera' } },
          data: { k: Buffer.from('v').toString('base64') },
        },
        undefined,
        undefined,
        'tessera',
        false,
        k8s.PatchStrategy.ServerSideApply,
      );
      expect((applied.metadata as { managedFields?: unknown[] } | undefined)?.managedFields?.[0]).toMatchObject({ manager: 'tessera', operation: 'Apply' });
      const list = await core.listNamespacedSecret({ namespace: 'default', labelSelector: 'app.kubernetes.io/managed-by=tessera' });
      expect(list.items.map((i) => i.metadata?.name).sort()).toEqual(['cn', 'cn2']);
      await core.deleteNamespacedSecret({ name: 'cn', namespace: 'default', body: { preconditions: { uid: created.metadata?.uid } } });
      expect(fleet.clusterState(fleet.context(2)).secrets.map((s) => (s.metadata as { name: string }).name)).toEqual(['cn2']);
      expect(fleet.stats().perCluster[2]?.requests).toBeGreaterThanOrEqual(4);
    } finally {
      await fleet.stop();
    }
  });
});

describe.skipIf(kubectlMissing)('kubectl against the simulator', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ clusters: 50 });
  });
  afterAll(async () => {
    await fleet?.stop();
  });
  // asynchronous: the simulator serves from this very process, so the event loop must stay free
  const kubectl = (...args: string[]): Promise<{ code: number; out: string; err: string }> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', fleet.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout, err: stderr });
      });
    });

  it('creates (create secret generic, apply --server-side), reads and deletes a Secret', async () => {
    const ctx = fleet.context(41);
    const c = await kubectl('--context', ctx, 'create', 'secret', 'generic', 'from-kubectl', '--from-literal=user=admin', '--from-literal=password=s3cret');
    expect(c.code, c.err).toBe(0);
    expect(c.out).toContain('secret/from-kubectl created');
    const manifest = join(fleet.kubeconfigPath, '..', 'applied.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: applied',
        '  labels:',
        '    app.kubernetes.io/managed-by: tessera',
        'stringData:',
        '  token: abc',
        '',
      ].join('\n'),
    );
    const a = await kubectl('--context', ctx, 'apply', '--server-side', '--field-manager', 'tessera', '-f', manifest);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('secret/applied serverside-applied');
    const g = await kubectl('--context', ctx, 'get', 'secret', 'from-kubectl', '-o', 'json', '--show-managed-fields');
    expect(g.code, g.err).toBe(0);
    const obj = JSON.parse(g.out);
    expect(Buffer.from(obj.data.password, 'base64').toString()).toBe('s3cret');
    expect(obj.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl-create', operation: 'Update' });
    const l = await kubectl('--context', ctx, 'get', 'secrets', '-l', 'app.kubernetes.io/managed-by=tessera', '-o', 'name');
    expect(l.out.trim()).toBe('secret/applied');
    const applied = fleet.clusterState(ctx).secrets.find((s) => (s.metadata as { name: string }).name === 'applied')!;
    expect((applied.metadata as any).managedFields[0]).toMatchObject({ manager: 'tessera', operation: 'Apply' });
    const d = await kubectl('--context', ctx, 'delete', 'secret', 'from-kubectl', 'applied');
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain('secret "from-kubectl" deleted');
    expect(fleet.clusterState(ctx).secrets).toHaveLength(0);
    // other clusters are untouched
    expect(fleet.clusterState(fleet.context(40)).secrets).toHaveLength(0);
    const nf = await kubectl('--context', ctx, 'get', 'secret', 'from-kubectl');
    expect(nf.code).not.toBe(0);
    expect(nf.err).toContain('secrets "from-kubectl" not found');
  });

  it('gets a Deployment and creates a namespace', async () => {
    const ctx = fleet.context(3);
    const n = await kubectl('--context', ctx, 'create', 'namespace', 'apps');
    expect(n.code, n.err).toBe(0);
    const nf = await kubectl('--context', ctx, 'get', 'deployment', 'web', '-n', 'apps');
    expect(nf.err).toContain('deployments.apps "web" not found');
    const manifest = join(fleet.kubeconfigPath, '..', 'deploy.yaml');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'apps' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
        },
      }),
    );
    const a = await kubectl('--context', ctx, 'apply', '--server-side', '-f', manifest);
    expect(a.code, a.err).toBe(0);
    const g = await kubectl('--context', ctx, 'get', 'deployment', 'web', '-n', 'apps', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
    expect(g.code, g.err).toBe(0);
    expect(g.out).toBe('nginx:1.27');
  });
});
