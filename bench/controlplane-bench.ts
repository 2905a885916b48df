// B3: B1 and B2 at N = 2 on a real control plane (kube-apiserver + etcd from
// tests/controlplane/harness.ts) and, side by side, on 2 simulated clusters without injected
// latency, so the per-cluster costs and the Tessera/kubectl ratios can be compared.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findControlPlaneAssets, startControlPlane } from '../tests/controlplane/harness.ts';
import { startFleet } from '../tests/fleet/simulator.ts';
import { KUBECTL, runKubectlLoop } from './lib/kubectl.ts';
import { startChild } from './lib/rpc.ts';
import { seedSecrets, type SeedSpec, type SeedTarget } from './lib/seed.ts';
import { summarize, type Summary } from './lib/stats.ts';

const WORKER = new URL('./tessera-worker.ts', import.meta.url);

export interface PlatformResult {
  platform: 'real control plane' | 'simulator (no injected latency)';
  clusters: number;
  provision: { tesseraPerClusterMs: Summary; kubectlPerClusterMs: Summary; ratio: number; unwraps: Summary };
  scan: { tesseraPerClusterMs: Summary; kubectlPerClusterMs: Summary; ratio: number; cellsInSync: number; cells: number };
}

export interface ControlPlaneResult {
  skipped: string | null;
  apiserverVersion: string | null;
  startupMs: number | null;
  platforms: PlatformResult[];
}

interface Platform {
  name: PlatformResult['platform'];
  kubeconfig: string;
  contexts: string[];
  targets: SeedTarget[];
}

async function measure(p: Platform, runs: number, apps: number, dir: string, log: (l: string) => void): Promise<PlatformResult> {
  const child = startChild(WORKER);
  const n = p.contexts.length;
  try {
    await child.call('init', { kubeconfig: p.kubeconfig });
    await child.call('setupProvision', { app: 'bench-app', secret: 'bench-secret' });
    const setup = await child.call<{ specs: SeedSpec[] }>('setupScan', { apps, clusters: p.contexts, labels: { env: 'bench' } });
    const seeded = await seedSecrets(p.targets, setup.specs, undefined, 16);
    if (seeded.failures > 0) throw new Error(`seeding failed for ${seeded.failures} Secrets on the ${p.name}`);
    const cacheDir = join(dir, `cache-${p.name.replace(/\W+/g, '-')}`);
    const yaml = join(dir, 'secret.yaml');
    const t = { p: [] as number[], s: [] as number[], unwraps: [] as number[] };
    const k = { p: [] as number[], s: [] as number[] };
    let states: Record<string, number> = {};
    let cells = 0;
    for (let run = 0; run < runs; run++) {
      const pr = await child.call<{ wallMs: number; unwraps: number; failed: number; firstError: string | null }>('provisionDirect', {
        app: 'bench-app',
        secret: 'bench-secret',
        clusters: p.contexts,
      });
      if (pr.failed > 0) throw new Error(`Tessera provision failed on the ${p.name}: ${pr.firstError}`);
      t.p.push(pr.wallMs / n);
      t.unwraps.push(pr.unwraps);
      const make = spawnSync(
        KUBECTL,
        [
          '--kubeconfig',
          p.kubeconfig,
          'create',
          'secret',
          'generic',
          'bench-kubectl',
          '-n',
          'default',
          `--from-literal=DB_USER=svc-${run}`,
          `--from-literal=DB_PASSWORD=p${Math.random()}`,
          `--from-literal=API_TOKEN=t${Math.random()}`,
          '--dry-run=client',
          '-o',
          'yaml',
        ],
        { encoding: 'utf8' },
      );
      writeFileSync(yaml, make.stdout);
      const kp = await runKubectlLoop({
        dir,
        kubeconfig: p.kubeconfig,
        cacheDir,
        contexts: p.contexts,
        args: `apply --server-side --field-manager=kubectl-loop -f ${yaml}`,
      });
      if (kp.failures > 0) throw new Error(`kubectl apply failed on the ${p.name}: ${readFileSync(join(dir, 'kubectl-errors.log'), 'utf8').slice(-500)}`);
      k.p.push(kp.wallMs / n);
      const sr = await child.call<{ wallMs: number; states: Record<string, number>; cells: number }>('scan', { clusters: p.contexts });
      t.s.push(sr.wallMs / n);
      states = sr.states;
      cells = sr.cells;
      const ks = await runKubectlLoop({
        dir,
        kubeconfig: p.kubeconfig,
        cacheDir,
        contexts: p.contexts,
        args: 'get secrets -l app.kubernetes.io/managed-by=tessera -A -o json',
      });
      k.s.push(ks.wallMs / n);
      log(
        `    ${p.name} run ${run + 1}: provision Tessera ${Math.round(pr.wallMs)} ms / kubectl ${Math.round(kp.wallMs)} ms; scan Tessera ${Math.round(sr.wallMs)} ms / kubectl ${Math.round(ks.wallMs)} ms`,
      );
    }
    const tp = summarize(t.p);
    const kp = summarize(k.p);
    const ts = summarize(t.s);
    const ks = summarize(k.s);
    return {
      platform: p.name,
      clusters: n,
      provision: { tesseraPerClusterMs: tp, kubectlPerClusterMs: kp, ratio: kp.median / tp.median, unwraps: summarize(t.unwraps) },
      scan: { tesseraPerClusterMs: ts, kubectlPerClusterMs: ks, ratio: ks.median / ts.median, cellsInSync: states['in-sync'] ?? 0, cells },
    };
  } finally {
    await child.stop();
  }
}

export async function controlPlaneBenchmark(opts: { runs: number; apps: number; workDir: string; log: (l: string) => void }): Promise<ControlPlaneResult> {
  const found = findControlPlaneAssets();
  if ('skipReason' in found) return { skipped: found.skipReason, apiserverVersion: null, startupMs: null, platforms: [] };
  const dir = join(opts.workDir, 'controlplane');
  mkdirSync(dir, { recursive: true });
  const result: ControlPlaneResult = { skipped: null, apiserverVersion: found.assets.version, startupMs: null, platforms: [] };
  const cp = await startControlPlane({ clusters: 2 });
  try {
    result.startupMs = cp.startupMs;
    result.platforms.push(
      await measure(
        {
          name: 'real control plane',
          kubeconfig: cp.kubeconfigPath,
          contexts: cp.clusters.map((c) => c.contexts.admin),
          targets: cp.clusters.map((c) => ({ server: c.server, token: c.tokens.admin, ca: readFileSync(c.caFile) })),
        },
        opts.runs,
        opts.apps,
        dir,
        opts.log,
      ),
    );
  } finally {
    await cp.stop();
  }
  const fleet = await startFleet({ clusters: 2, dir: join(dir, 'fleet') });
  try {
    result.platforms.push(
      await measure(
        {
          name: 'simulator (no injected latency)',
          kubeconfig: fleet.kubeconfigPath,
          contexts: fleet.contexts,
          targets: fleet.contexts.map((c) => ({ server: fleet.server(c), token: fleet.token(c), ca: readFileSync(fleet.caFile!) })),
        },
        opts.runs,
        opts.apps,
        dir,
        opts.log,
      ),
    );
  } finally {
    await fleet.stop();
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}
