// B1 (provision to a fleet), B2 (scan a fleet) and B6 (growth) on the fleet simulator: Tessera's
// core in a child process against a shell loop of kubectl, on the same simulated clusters with
// 20 ms ± 5 ms injected latency. The simulator runs in this process, so its request and byte
// counters are read around each measured run.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startFleet, type Fleet } from '../tests/fleet/simulator.ts';
import { KUBECTL, loopCommand, runKubectlLoop, sample, writeKubeconfig } from './lib/kubectl.ts';
import { startChild, type Child } from './lib/rpc.ts';
import { seedSecrets, type SeedSpec } from './lib/seed.ts';
import { MiB, summarize, type Summary } from './lib/stats.ts';

export const LATENCY = { fixedMs: 20, jitterMs: 5 };
const WORKER = new URL('./tessera-worker.ts', import.meta.url);
const APP = 'bench-app';
const SECRET = 'bench-secret';

export interface KubectlSide {
  /** Contexts run per measured run; equal to n when nothing is extrapolated. */
  sampled: number;
  extrapolated: boolean;
  perClusterMs: Summary;
  /** Loop wall time for all n clusters: measured, or perClusterMs × n when extrapolated. */
  wallMs: Summary;
  requestsPerCluster: Summary;
  bytesPerCluster: Summary;
  peakRssMiB: Summary | null;
  failures: number;
}

export interface TesseraSide {
  wallMs: Summary;
  requests: Summary;
  requestsPerCluster: Summary;
  bytesPerCluster: Summary;
  unwraps: Summary;
  peakRssMiB: Summary;
  failures: number;
  states?: Record<string, number>;
}

export interface FleetRow {
  n: number;
  runs: number;
  tessera: TesseraSide;
  kubectl: KubectlSide | null;
  /** kubectl median wall / Tessera median wall. */
  speedup: number | null;
  /** Requests per cluster × 20 ms × ceil(n / concurrency). */
  floorMs: number;
  /** Tessera median wall / floor. */
  floorRatio: number;
}

export interface FleetOptions {
  quick: boolean;
  runs: number;
  kubectlSample: number;
  b1Sizes: number[];
  b2Sizes: number[];
  b6Sizes: number[];
  apps: number;
  workDir: string;
  log: (line: string) => void;
}

export interface FleetResults {
  concurrency: number;
  b1: FleetRow[];
  b2: FleetRow[];
  b6: { provision: FleetRow[]; scan: FleetRow[] };
  commands: { b1: string[]; b2: string[] };
  seeding: { secrets: number; ms: number; failures: number }[];
  scanSetupMs: number;
}

interface RunResult {
  wallMs: number;
  /** B1: the plan's share of wallMs (scan and plan; execute is the rest). */
  planMs?: number;
  unwraps: number;
  failed: number;
  firstError?: string | null;
  rssPeakMiB: number;
  states?: Record<string, number>;
}

function kubeconfigFor(fleet: Fleet, dir: string, tag: string, n: number): string {
  return writeKubeconfig(
    join(dir, `kubeconfig-${tag}-${n}`),
    fleet.contexts.slice(0, n).map((name) => ({ name, server: fleet.server(name), caFile: fleet.caFile, token: fleet.token(name) })),
  );
}

function counters(fleet: Fleet) {
  const s = fleet.stats();
  return { requests: s.requests, bytes: s.bytesSent };
}

function tesseraSide(n: number, runs: { r: RunResult; requests: number; bytes: number }[]): TesseraSide {
  return {
    wallMs: summarize(runs.map((x) => x.r.wallMs)),
    requests: summarize(runs.map((x) => x.requests)),
    requestsPerCluster: summarize(runs.map((x) => x.requests / n)),
    bytesPerCluster: summarize(runs.map((x) => x.bytes / n)),
    unwraps: summarize(runs.map((x) => x.r.unwraps)),
    peakRssMiB: summarize(runs.map((x) => x.r.rssPeakMiB)),
    failures: runs.reduce((a, x) => a + x.r.failed, 0),
    ...(runs.at(-1)?.r.states ? { states: runs.at(-1)!.r.states! } : {}),
  };
}

function kubectlSide(n: number, k: number, runs: { wallMs: number; requests: number; bytes: number; peakRss: number | null; failures: number }[]): KubectlSide {
  const perCluster = summarize(runs.map((x) => x.wallMs / k));
  const extrapolated = k < n;
  const rss = runs.map((x) => x.peakRss).filter((x): x is number => x !== null);
  return {
    sampled: k,
    extrapolated,
    perClusterMs: perCluster,
    wallMs: summarize(runs.map((x) => (x.wallMs / k) * n)),
    requestsPerCluster: summarize(runs.map((x) => x.requests / k)),
    bytesPerCluster: summarize(runs.map((x) => x.bytes / k)),
    peakRssMiB: rss.length > 0 ? summarize(rss.map((x) => x / MiB)) : null,
    failures: runs.reduce((a, x) => a + x.failures, 0),
  };
}

function row(n: number, runs: number, tessera: TesseraSide, kubectl: KubectlSide | null, concurrency: number): FleetRow {
  const perClusterFloor = Math.max(1, Math.round(tessera.requestsPerCluster.median)) * LATENCY.fixedMs;
  const floorMs = perClusterFloor * Math.ceil(n / concurrency);
  return {
    n,
    runs,
    tessera,
    kubectl,
    speedup: kubectl ? kubectl.wallMs.median / tessera.wallMs.median : null,
    floorMs,
    floorRatio: tessera.wallMs.median / floorMs,
  };
}

export async function fleetBenchmarks(opts: FleetOptions, which: { b1: boolean; b2: boolean; b6: boolean }): Promise<FleetResults> {
  const dir = join(opts.workDir, 'fleet');
  mkdirSync(dir, { recursive: true });
  const maxProvision = Math.max(...(which.b1 ? opts.b1Sizes : [1]), ...(which.b6 ? opts.b6Sizes : [1]));
  const maxScan = Math.max(...(which.b2 ? opts.b2Sizes : [1]), ...(which.b6 ? opts.b6Sizes : [1]));
  const results: FleetResults = { concurrency: 32, b1: [], b2: [], b6: { provision: [], scan: [] }, commands: { b1: [], b2: [] }, seeding: [], scanSetupMs: 0 };
  const cache = { provision: new Map<number, FleetRow>(), scan: new Map<number, FleetRow>() };

  // ---------------------------------------------------------------- provision (B1, B6)
  if (which.b1 || which.b6) {
    const fleet = await startFleet({ clusters: maxProvision, latency: LATENCY, dir: join(dir, 'fleet-provision'), seed: 11 });
    const child: Child = startChild(WORKER);
    try {
      const init = await child.call<{ concurrency: number }>('init', { kubeconfig: fleet.kubeconfigPath });
      results.concurrency = init.concurrency;
      await child.call('setupProvision', { app: APP, secret: SECRET, clusters: fleet.contexts });
      const yaml = join(dir, 'secret.yaml');
      const cacheDir = join(dir, 'kubectl-cache-provision');
      const applyArgs = `apply --server-side --field-manager=kubectl-loop -f ${yaml}`;
      results.commands.b1 = [
        `kubectl create secret generic bench-kubectl -n default --from-literal=DB_USER=… --from-literal=DB_PASSWORD=… --from-literal=API_TOKEN=… --dry-run=client -o yaml > secret.yaml   # once per run, not timed`,
        loopCommand(`apply --server-side --field-manager=kubectl-loop -f secret.yaml`),
      ];
      const measureProvision = async (n: number, withKubectl: boolean): Promise<FleetRow> => {
        const names = fleet.contexts.slice(0, n);
        const kubeconfig = kubeconfigFor(fleet, dir, 'p', n);
        const k = Math.min(n, opts.kubectlSample);
        const sampled = sample(names, k);
        const tRuns: { r: RunResult; requests: number; bytes: number }[] = [];
        const kRuns: { wallMs: number; requests: number; bytes: number; peakRss: number | null; failures: number }[] = [];
        for (let run = 0; run < opts.runs; run++) {
          fleet.resetStats();
          const r = await child.call<RunResult>('provision', { app: APP, secret: SECRET, clusters: names });
          const c = counters(fleet);
          if (r.failed > 0) opts.log(`    ! Tessera provision: ${r.failed} clusters failed: ${r.firstError}`);
          tRuns.push({ r, ...c });
          if (withKubectl) {
            const make = spawnSync(
              KUBECTL,
              [
                '--kubeconfig',
                kubeconfig,
                '--cache-dir',
                cacheDir,
                'create',
                'secret',
                'generic',
                'bench-kubectl',
                '-n',
                'default',
                `--from-literal=DB_USER=svc-${run}-${Date.now()}`,
                `--from-literal=DB_PASSWORD=p${Math.random().toString(36).slice(2)}`,
                `--from-literal=API_TOKEN=t${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
                '--dry-run=client',
                '-o',
                'yaml',
              ],
              { encoding: 'utf8' },
            );
            writeFileSync(yaml, make.stdout);
            fleet.resetStats();
            const loop = await runKubectlLoop({ dir, kubeconfig, cacheDir, contexts: sampled, args: applyArgs });
            kRuns.push({ ...loop, ...counters(fleet) });
          }
          opts.log(
            `    rollout N=${n} run ${run + 1}: Tessera plan → execute ${Math.round(r.wallMs)} ms (plan ${Math.round(r.planMs ?? 0)} ms, ${r.unwraps} unwrap)` +
              (withKubectl ? `, kubectl ${Math.round(kRuns.at(-1)!.wallMs)} ms for ${k}` : ''),
          );
        }
        return row(n, opts.runs, tesseraSide(n, tRuns), withKubectl ? kubectlSide(n, k, kRuns) : null, results.concurrency);
      };
      if (which.b1) {
        for (const n of opts.b1Sizes) {
          const r = await measureProvision(n, true);
          results.b1.push(r);
          cache.provision.set(n, r);
        }
      }
      if (which.b6) for (const n of opts.b6Sizes) results.b6.provision.push(cache.provision.get(n) ?? (await measureProvision(n, false)));
    } finally {
      await child.stop();
      await fleet.stop();
    }
  }

  // ---------------------------------------------------------------- scan (B2, B6)
  if (which.b2 || which.b6) {
    const fleet = await startFleet({ clusters: maxScan, latency: LATENCY, dir: join(dir, 'fleet-scan'), seed: 12 });
    const child: Child = startChild(WORKER);
    try {
      const init = await child.call<{ concurrency: number }>('init', { kubeconfig: fleet.kubeconfigPath });
      results.concurrency = init.concurrency;
      const setup = await child.call<{ specs: SeedSpec[]; setupMs: number }>('setupScan', {
        apps: opts.apps,
        clusters: fleet.contexts,
        labels: { env: 'bench' },
      });
      results.scanSetupMs = setup.setupMs;
      let seeded = 0;
      const seedTo = async (n: number) => {
        if (n <= seeded) return;
        fleet.setLatency(undefined);
        const targets = fleet.contexts.slice(seeded, n).map((c) => ({ server: fleet.server(c), token: fleet.token(c) }));
        const s = await seedSecrets(targets, setup.specs, fleet.caFile);
        results.seeding.push({ secrets: s.requests, ms: s.ms, failures: s.failures });
        opts.log(`    seeded ${s.requests} Secrets on clusters ${seeded + 1}..${n} in ${Math.round(s.ms)} ms (${s.failures} failures)`);
        seeded = n;
        fleet.setLatency(LATENCY);
      };
      const cacheDir = join(dir, 'kubectl-cache-scan');
      const getArgs = 'get secrets -l app.kubernetes.io/managed-by=tessera -A -o json';
      results.commands.b2 = [loopCommand(getArgs)];
      const measureScan = async (n: number, withKubectl: boolean): Promise<FleetRow> => {
        await seedTo(n);
        const names = fleet.contexts.slice(0, n);
        const kubeconfig = kubeconfigFor(fleet, dir, 's', n);
        const k = Math.min(n, opts.kubectlSample);
        const sampled = sample(names, k);
        const tRuns: { r: RunResult; requests: number; bytes: number }[] = [];
        const kRuns: { wallMs: number; requests: number; bytes: number; peakRss: number | null; failures: number }[] = [];
        for (let run = 0; run < opts.runs; run++) {
          fleet.resetStats();
          const r = await child.call<RunResult & { cells: number }>('scan', { clusters: names });
          r.failed = Object.entries(r.states ?? {})
            .filter(([s]) => s === 'error' || s === 'unreachable')
            .reduce((a, [, v]) => a + v, 0);
          tRuns.push({ r, ...counters(fleet) });
          if (withKubectl) {
            fleet.resetStats();
            const loop = await runKubectlLoop({ dir, kubeconfig, cacheDir, contexts: sampled, args: getArgs });
            kRuns.push({ ...loop, ...counters(fleet) });
          }
          opts.log(
            `    scan N=${n} run ${run + 1}: Tessera ${Math.round(r.wallMs)} ms (${JSON.stringify(r.states)})` +
              (withKubectl ? `, kubectl ${Math.round(kRuns.at(-1)!.wallMs)} ms for ${k}` : ''),
          );
        }
        return row(n, opts.runs, tesseraSide(n, tRuns), withKubectl ? kubectlSide(n, k, kRuns) : null, results.concurrency);
      };
      if (which.b2) {
        for (const n of opts.b2Sizes) {
          const r = await measureScan(n, true);
          results.b2.push(r);
          cache.scan.set(n, r);
        }
      }
      if (which.b6) for (const n of opts.b6Sizes) results.b6.scan.push(cache.scan.get(n) ?? (await measureScan(n, false)));
    } finally {
      await child.stop();
      await fleet.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return results;
}
