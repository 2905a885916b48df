// `npm run bench [-- --quick] [-- --only B1,B4]`: every benchmark side by side with its baseline
// in this one process run, repeated, reported as median (min–max) in
// bench/results/<YYYY-MM-DD>.md and .json (plus the B6 growth chart as PNG).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findControlPlaneAssets } from '../tests/controlplane/harness.ts';
import { softHsmSkipReason } from '../tests/support/softhsm.ts';
import { controlPlaneBenchmark, type ControlPlaneResult } from './controlplane-bench.ts';
import { fleetBenchmarks, LATENCY, type FleetResults } from './fleet-bench.ts';
import { lineChartSvg, svgsToPng } from './lib/chart.ts';
import { kubectlVersion } from './lib/kubectl.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { renderReport } from './report.ts';
import { remoteTokenOverhead, tokenOverhead, type RemoteTokenResult, type TokenOverheadResult } from './token-overhead.ts';
import { CHROMIUM, launchChromium, uiBenchmark, type UiResult } from './ui-bench.ts';

const ALL = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6'] as const;
type Bench = (typeof ALL)[number];

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } } });
const quick = values.quick === true;
const only = new Set<Bench>(values.only ? (values.only.split(',').map((s) => s.trim().toUpperCase()) as Bench[]) : [...ALL]);
for (const b of only) if (!ALL.includes(b)) throw new Error(`unknown benchmark ${b} (known: ${ALL.join(', ')})`);

export const CONFIG = quick
  ? {
      mode: 'quick',
      runs: 3,
      kubectlSample: 3,
      b1Sizes: [10, 100],
      b2Sizes: [50],
      b6Sizes: [10, 50, 100],
      apps: 200,
      b3Runs: 2,
      b4Runs: 3,
      b4DurationMs: 200,
      b5Runs: 2,
      b5ScrollMs: 1000,
    }
  : {
      mode: 'full',
      runs: 5,
      kubectlSample: 10,
      b1Sizes: [10, 100, 1000],
      b2Sizes: [100, 1000],
      b6Sizes: [10, 100, 500, 1000, 2000],
      apps: 200,
      b3Runs: 5,
      b4Runs: 5,
      b4DurationMs: 800,
      b5Runs: 5,
      b5ScrollMs: 2000,
    };
export type Config = typeof CONFIG;

const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);
const workDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const resultsDir = values.out ?? new URL('./results/', import.meta.url).pathname;
mkdirSync(resultsDir, { recursive: true });
const date = new Date().toISOString().slice(0, 10);
const stem = quick ? `${date}-quick` : date;

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (
    `${r.stdout ?? ''}${r.stderr ?? ''}`
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown'
  );
}

const cp = findControlPlaneAssets();
const machine = {
  cores: cpus().length,
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  os: `${process.platform} ${release()}`,
  note: 'shared with other jobs running tests at the same time: absolute numbers are noisy; ratios are measured side by side in the same run',
};
const versions = {
  node: process.version,
  kubectl: kubectlVersion(),
  kubeApiserver: 'assets' in cp ? cp.assets.version : `not available (${cp.skipReason})`,
  softhsm: firstLine('softhsm2-util', ['--version']),
  chromium: firstLine(CHROMIUM, ['--version']),
};

export interface BenchResults {
  date: string;
  mode: string;
  config: Config;
  machine: typeof machine;
  versions: typeof versions;
  durationS: number;
  fleet: FleetResults | null;
  controlPlane: ControlPlaneResult | null;
  token: {
    runs: TokenOverheadResult[];
    summary: Record<string, { tessera: Summary; pipelined: Summary; plain: Summary; ratio: Summary; ratioPipelined: Summary }>;
    /** The same token layer on a remote token (SoftHSM2 behind p11-kit server); null when p11-kit is missing. */
    remote?: { runs: RemoteTokenResult[]; ratio: Summary; perAttributeMs: Summary; batchedMs: Summary; keys: number } | null;
  } | null;
  ui: UiResult | null;
  chart: string | null;
  errors: Record<string, string>;
}

const results: BenchResults = {
  date,
  mode: CONFIG.mode,
  config: CONFIG,
  machine,
  versions,
  durationS: 0,
  fleet: null,
  controlPlane: null,
  token: null,
  ui: null,
  chart: null,
  errors: {},
};
log(`mode ${CONFIG.mode}; running ${[...only].join(', ')}; work dir ${workDir}`);

async function step(names: Bench[], fn: () => Promise<void>) {
  if (!names.some((n) => only.has(n))) return;
  const t0 = Date.now();
  try {
    await fn();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    for (const n of names) if (only.has(n)) results.errors[n] = message;
    log(`!! ${names.join('/')} failed: ${message}`);
  }
  log(`${names.filter((n) => only.has(n)).join('/')} took ${Math.round((Date.now() - t0) / 1000)} s`);
}

try {
  await step(['B1', 'B2', 'B6'], async () => {
    log('B1/B2/B6: fleet simulator');
    results.fleet = await fleetBenchmarks(
      {
        quick,
        runs: CONFIG.runs,
        kubectlSample: CONFIG.kubectlSample,
        b1Sizes: CONFIG.b1Sizes,
        b2Sizes: CONFIG.b2Sizes,
        b6Sizes: CONFIG.b6Sizes,
        apps: CONFIG.apps,
        workDir,
        log,
      },
      { b1: only.has('B1'), b2: only.has('B2'), b6: only.has('B6') },
    );
  });
  await step(['B3'], async () => {
    log('B3: real control plane');
    results.controlPlane = await controlPlaneBenchmark({ runs: CONFIG.b3Runs, apps: CONFIG.apps, workDir, log });
    if (results.controlPlane.skipped) log(`B3 skipped: ${results.controlPlane.skipped}`);
  });
  await step(['B4'], async () => {
    log('B4: token overhead');
    const skip = softHsmSkipReason();
    if (skip) throw new Error(`SoftHSM2 is not available: ${skip}`);
    const runs: TokenOverheadResult[] = [];
    for (let i = 0; i < CONFIG.b4Runs; i++) {
      runs.push(await tokenOverhead({ durationMs: CONFIG.b4DurationMs, pipelineDepth: 4 }));
      log(
        `    token run ${i + 1}: ${JSON.stringify(
          Object.fromEntries(
            Object.entries(runs.at(-1)!)
              .filter(([, v]) => typeof v === 'object')
              .map(([k, v]) => [k, `${(v as { ratio: number }).ratio}/${(v as { ratioPipelined: number }).ratioPipelined}`]),
          ),
        )}`,
      );
    }
    const cases = ['rsaOaep3072Unwrap', 'ecdhEsP256Unwrap', 'aes256KwpUnwrap', 'ecdsaP256Sign'] as const;
    const summary: NonNullable<BenchResults['token']>['summary'] = {};
    for (const c of cases) {
      summary[c] = {
        tessera: summarize(runs.map((r) => r[c].tessera)),
        pipelined: summarize(runs.map((r) => r[c].tesseraPipelined)),
        plain: summarize(runs.map((r) => r[c].plain)),
        ratio: summarize(runs.map((r) => r[c].ratio)),
        ratioPipelined: summarize(runs.map((r) => r[c].ratioPipelined)),
      };
    }
    const remoteRuns: RemoteTokenResult[] = [];
    for (let i = 0; i < CONFIG.b4Runs; i++) {
      const r = await remoteTokenOverhead({ durationMs: CONFIG.b4DurationMs, listRuns: 5 });
      if (!r) break;
      remoteRuns.push(r);
      log(
        `    remote token run ${i + 1}: unwrap ratio ${r.rsaOaep2048Unwrap.ratio}; unlock→key list ${r.unlockToKeyList.perAttributeMs} → ${r.unlockToKeyList.batchedMs} ms`,
      );
    }
    const remote =
      remoteRuns.length === 0
        ? null
        : {
            runs: remoteRuns,
            ratio: summarize(remoteRuns.map((r) => r.rsaOaep2048Unwrap.ratio)),
            perAttributeMs: summarize(remoteRuns.map((r) => r.unlockToKeyList.perAttributeMs)),
            batchedMs: summarize(remoteRuns.map((r) => r.unlockToKeyList.batchedMs)),
            keys: remoteRuns[0]!.unlockToKeyList.keys,
          };
    results.token = { runs, summary, remote };
  });
  await step(['B5'], async () => {
    log('B5: UI in Chromium');
    results.ui = await uiBenchmark({ runs: CONFIG.b5Runs, apps: 200, clusters: 1000, scrollMs: CONFIG.b5ScrollMs, log });
  });
  if (only.has('B6') && results.fleet && results.fleet.b6.provision.length + results.fleet.b6.scan.length > 0) {
    try {
      const browser = await launchChromium();
      try {
        const f = results.fleet;
        const svgs = [
          lineChartSvg({
            title: 'Wall time (median) vs clusters',
            xLabel: 'clusters (N)',
            yLabel: 'ms',
            series: [
              { name: 'provision (B1 path)', color: '#1c7ed6', points: f.b6.provision.map((r) => ({ x: r.n, y: r.tessera.wallMs.median })) },
              { name: 'scan, 200 apps (B2 path)', color: '#e8590c', points: f.b6.scan.map((r) => ({ x: r.n, y: r.tessera.wallMs.median })) },
              { name: 'provision floor', color: '#adb5bd', points: f.b6.provision.map((r) => ({ x: r.n, y: r.floorMs })) },
            ],
          }),
          lineChartSvg({
            title: 'Peak RSS of the Tessera process vs clusters',
            xLabel: 'clusters (N)',
            yLabel: 'MiB',
            series: [
              { name: 'provision', color: '#1c7ed6', points: f.b6.provision.map((r) => ({ x: r.n, y: r.tessera.peakRssMiB.median })) },
              { name: 'scan, 200 apps', color: '#e8590c', points: f.b6.scan.map((r) => ({ x: r.n, y: r.tessera.peakRssMiB.median })) },
            ],
          }),
        ];
        const png = `${stem}-growth.png`;
        await svgsToPng(browser, svgs, join(resultsDir, png));
        results.chart = png;
      } finally {
        await browser.close();
      }
    } catch (error) {
      results.errors.chart = error instanceof Error ? error.message : String(error);
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

results.durationS = Math.round((Date.now() - started) / 1000);
writeFileSync(join(resultsDir, `${stem}.json`), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, `${stem}.md`), renderReport(results, { latency: LATENCY }));
log(`done in ${results.durationS} s: ${join(resultsDir, `${stem}.md`)}`);
if (Object.keys(results.errors).length > 0) {
  log(`errors in: ${Object.keys(results.errors).join(', ')}`);
  process.exitCode = 1;
}
process.exit();
