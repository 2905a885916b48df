// B5: the matrix at 200 apps × 1,000 clusters in Chromium, served by `tessera serve` from a data
// dir with 200 apps published on 1,000 simulated clusters (kubeconfig) and one scan stored.
// Measures, per run, a cold `tessera serve` (spawn → TESSERA_READY → navigate → first
// contentful paint), time to the first full render of the grid, frame times while scrolling
// the [role=grid] element (requestAnimationFrame deltas) and the page's JS heap (CDP).
import { rmSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { startFleet } from '../tests/fleet/simulator.ts';
import { serveTessera } from '../tests/support/serve.ts';
import { startChild } from './lib/rpc.ts';
import { MiB, percentile, summarize, type Summary } from './lib/stats.ts';

const WORKER = new URL('./tessera-worker.ts', import.meta.url);
export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface UiResult {
  subject: string;
  apps: number;
  clusters: number;
  cellsRendered: Summary;
  serveReadyMs: Summary;
  coldStartToFcpMs: Summary;
  firstFullRenderMs: Summary;
  frameP50Ms: Summary;
  frameP95Ms: Summary;
  framesPerRun: Summary;
  jsHeapMiB: Summary;
  chromiumVersion: string;
  skipped: string | null;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function uiBenchmark(opts: { runs: number; apps: number; clusters: number; scrollMs: number; log: (l: string) => void }): Promise<UiResult> {
  const fleet = await startFleet({ clusters: opts.clusters });
  const child = startChild(WORKER);
  let dataDir = '';
  let browser: Browser | null = null;
  try {
    await child.call('init', { kubeconfig: fleet.kubeconfigPath });
    await child.call('setupScan', { apps: opts.apps, clusters: fleet.contexts, labels: { env: 'bench' } });
    const scan = await child.call<{ cells: number }>('scan', { clusters: fleet.contexts });
    dataDir = (await child.call<{ dataDir: string }>('detach')).dataDir;
    await child.stop();
    opts.log(`    data dir ready: ${opts.apps} apps, ${opts.clusters} clusters, one scan of ${scan.cells} cells`);
    browser = await launchChromium();
    const r = {
      ready: [] as number[],
      cold: [] as number[],
      render: [] as number[],
      p50: [] as number[],
      p95: [] as number[],
      frames: [] as number[],
      heap: [] as number[],
      cells: [] as number[],
    };
    for (let run = 0; run < opts.runs; run++) {
      const t0 = Date.now();
      const served = await serveTessera({ dataDir, args: ['--kubeconfig', fleet.kubeconfigPath] });
      const readyMs = Date.now() - t0;
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      try {
        await page.goto(served.url, { waitUntil: 'commit' });
        const fcp = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const seen = performance.getEntriesByName('first-contentful-paint')[0];
              if (seen) return resolve(performance.timeOrigin + seen.startTime);
              new PerformanceObserver((list) => {
                const e = list.getEntriesByName('first-contentful-paint')[0];
                if (e) resolve(performance.timeOrigin + e.startTime);
              }).observe({ type: 'paint', buffered: true });
            }),
        );
        await page.waitForFunction(() => document.querySelectorAll('[role=grid] [role=gridcell]').length > 50, undefined, { timeout: 60_000, polling: 'raf' });
        const rendered = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
        const cells = await page.evaluate(() => document.querySelectorAll('[role=grid] [role=gridcell]').length);
        const frames = await page.evaluate(async (scrollMs: number) => {
          const grid = document.querySelector('[role=grid]') as HTMLElement;
          const deltas: number[] = [];
          let last = performance.now();
          const start = last;
          await new Promise<void>((resolve) => {
            const step = (now: number) => {
              deltas.push(now - last);
              last = now;
              grid.scrollTop += 60;
              grid.scrollLeft += 30;
              if (grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1) grid.scrollTop = 0;
              if (grid.scrollLeft + grid.clientWidth >= grid.scrollWidth - 1) grid.scrollLeft = 0;
              if (now - start < scrollMs) requestAnimationFrame(step);
              else resolve();
            };
            requestAnimationFrame(step);
          });
          return deltas.slice(1);
        }, opts.scrollMs);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
        const heap = metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
        r.ready.push(readyMs);
        r.cold.push(fcp - t0);
        r.render.push(rendered);
        r.p50.push(percentile(frames, 50));
        r.p95.push(percentile(frames, 95));
        r.frames.push(frames.length);
        r.heap.push(heap / MiB);
        r.cells.push(cells);
        opts.log(
          `    UI run ${run + 1}: serve ready ${readyMs} ms, cold start to FCP ${Math.round(fcp - t0)} ms, full render ${Math.round(rendered)} ms, frames p50 ${percentile(frames, 50).toFixed(1)} / p95 ${percentile(frames, 95).toFixed(1)} ms, heap ${Math.round(heap / MiB)} MiB`,
        );
      } finally {
        await context.close();
        await served.stop();
      }
    }
    return {
      subject: 'Matrix page of `tessera serve` (real backend: vault with 200 apps, kubeconfig of 1,000 simulated clusters, one stored scan)',
      apps: opts.apps,
      clusters: opts.clusters,
      cellsRendered: summarize(r.cells),
      serveReadyMs: summarize(r.ready),
      coldStartToFcpMs: summarize(r.cold),
      firstFullRenderMs: summarize(r.render),
      frameP50Ms: summarize(r.p50),
      frameP95Ms: summarize(r.p95),
      framesPerRun: summarize(r.frames),
      jsHeapMiB: summarize(r.heap),
      chromiumVersion: browser.version(),
      skipped: null,
    };
  } finally {
    await browser?.close();
    await child.stop();
    await fleet.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
