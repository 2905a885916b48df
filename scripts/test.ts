// The whole test suite, as CI and developers run it: type-check, lint, unit, integration
// (real SoftHSM2, real control plane where built, fleet simulator), end-to-end (Chromium).
// Every step runs even after a failure, then one closing line sums up the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = `${root}test-results`;
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);

interface Step {
  name: string;
  command: string[];
  /** Reads pass/fail/skip counts from the runner's JSON report. */
  counts?: () => { passed: number; failed: number; skipped: number };
}

function vitestCounts(file: string) {
  return () => {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  };
}

const steps: Step[] = [
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'format', command: ['npx', 'prettier', '--check', '.'] },
  { name: 'lint', command: ['npx', 'eslint', '.', '--max-warnings=0'] },
  { name: 'imports', command: ['node', 'scripts/import-graph.ts', 'electron/core'] },
  {
    name: 'unit',
    command: ['npx', 'vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/unit.json`],
    counts: vitestCounts(`${results}/unit.json`),
  },
  {
    name: 'integration',
    command: ['npx', 'vitest', 'run', '--project', 'integration', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/integration.json`],
    counts: vitestCounts(`${results}/integration.json`),
  },
  { name: 'build-renderer', command: ['node', 'scripts/build.ts', 'renderer'] },
  {
    name: 'e2e',
    command: ['npx', 'playwright', 'test'],
    counts: () => {
      const report = JSON.parse(readFileSync(`${results}/e2e-report.json`, 'utf8')) as PlaywrightReport;
      for (const line of skippedWithReasons(report)) console.log(`skipped: ${line}`);
      return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected, skipped: report.stats.skipped };
    },
  },
];

interface PlaywrightSuite {
  specs?: { title: string; tests: { annotations?: { type: string; description?: string }[]; results: { status: string }[] }[] }[];
  suites?: PlaywrightSuite[];
}
interface PlaywrightReport {
  stats: { expected: number; unexpected: number; skipped: number; flaky: number };
  suites: PlaywrightSuite[];
}

/** "title — reason" for every skipped end-to-end test, so CI output says why. */
function skippedWithReasons(report: PlaywrightReport): string[] {
  const lines: string[] = [];
  const walk = (suite: PlaywrightSuite) => {
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests)
        if (test.results.some((r) => r.status === 'skipped')) {
          const reason = test.annotations?.find((a) => a.type === 'skip')?.description ?? 'no reason given';
          lines.push(`${spec.title} — ${reason}`);
        }
    for (const child of suite.suites ?? []) walk(child);
  };
  report.suites.forEach(walk);
  return lines;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps: string[] = [];
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  const started = Date.now();
  console.log(`\n=== ${step.name}: ${step.command.join(' ')}`);
  const run = spawnSync(step.command[0]!, step.command.slice(1), { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) failedSteps.push(step.name);
  if (step.counts) {
    try {
      const c = step.counts();
      totals.passed += c.passed;
      totals.failed += c.failed;
      totals.skipped += c.skipped;
    } catch {
      if (run.status === 0) failedSteps.push(`${step.name} (no report)`);
    }
  }
  console.log(`=== ${step.name}: ${run.status === 0 ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`} in ${seconds}s`);
}

if (existsSync(`${results}/e2e`)) console.log(`\nScreenshots and traces: ${results}/e2e`);
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
// A failed step without test counts (type-check, lint) still counts as a failure in the closing line.
const failed = totals.failed + failedSteps.filter((s) => !steps.find((x) => x.name === s)?.counts).length;
console.log(`\n${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exitCode = failedSteps.length > 0 ? 1 : 0;
