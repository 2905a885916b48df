// The baseline people use today: a shell loop running one kubectl process per context. The loop
// runs in bash exactly as shown in the report; GNU time (when present) records each kubectl
// process's peak RSS next to it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KUBECTL = process.env.TESSERA_BENCH_KUBECTL ?? '/usr/bin/kubectl';
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

export function kubectlVersion(): string {
  const r = spawnSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  try {
    return (JSON.parse(r.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return 'unknown';
  }
}

export interface LoopResult {
  wallMs: number;
  clusters: number;
  failures: number;
  /** Largest peak RSS of one kubectl process, bytes (null without GNU time). */
  peakRss: number | null;
}

/** The loop as a user would type it (`$CTX_LIST` holds the sampled contexts). */
export function loopCommand(kubectlArgs: string): string {
  return `for ctx in $CTX_LIST; do kubectl --context "$ctx" ${kubectlArgs}; done`;
}

/**
 * Runs `kubectl --kubeconfig K --cache-dir D --context C <args>` for each context in turn, in one
 * bash loop, stdout to /dev/null. Returns the loop's wall time.
 */
export async function runKubectlLoop(opts: { dir: string; kubeconfig: string; cacheDir: string; contexts: string[]; args: string }): Promise<LoopResult> {
  const rssFile = join(opts.dir, `rss-${process.hrtime.bigint()}.txt`);
  const ctxFile = join(opts.dir, `ctx-${process.hrtime.bigint()}.txt`);
  writeFileSync(ctxFile, opts.contexts.join('\n') + '\n');
  const timed = GNU_TIME ? `${GNU_TIME} -f %M -a -o ${rssFile} ` : '';
  const script = [
    'fails=0',
    `while read -r ctx; do`,
    `  ${timed}${KUBECTL} --kubeconfig ${opts.kubeconfig} --cache-dir ${opts.cacheDir} --context "$ctx" ${opts.args} >/dev/null 2>>${opts.dir}/kubectl-errors.log || fails=$((fails+1))`,
    `done < ${ctxFile}`,
    'echo "FAILS=$fails"',
  ].join('\n');
  const t0 = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBECONFIG: opts.kubeconfig } });
    let text = '';
    child.stdout.on('data', (d) => (text += String(d)));
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  const wallMs = performance.now() - t0;
  const failures = Number(/FAILS=(\d+)/.exec(out)?.[1] ?? '0');
  let peakRss: number | null = null;
  if (GNU_TIME && existsSync(rssFile)) {
    const kib = readFileSync(rssFile, 'utf8')
      .split('\n')
      .map(Number)
      .filter((n) => Number.isFinite(n) && n > 0);
    peakRss = kib.length > 0 ? Math.max(...kib) * 1024 : null;
    rmSync(rssFile, { force: true });
  }
  rmSync(ctxFile, { force: true });
  return { wallMs, clusters: opts.contexts.length, failures, peakRss };
}

/** Evenly spaced sample of k items (all when k >= length). */
export function sample<T>(items: readonly T[], k: number): T[] {
  if (k >= items.length) return [...items];
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(items[Math.floor(((i + 0.5) * items.length) / k)]!);
  return out;
}

/** A kubeconfig holding only the given contexts (what a user with N clusters would have). */
export function writeKubeconfig(path: string, clusters: { name: string; server: string; caFile: string | undefined; token: string }[]): string {
  const q = JSON.stringify;
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${q(clusters[0]?.name ?? '')}`, 'clusters:'];
  for (const c of clusters) {
    lines.push(`- name: ${q(c.name)}`, '  cluster:', `    server: ${q(c.server)}`);
    if (c.caFile) lines.push(`    certificate-authority: ${q(c.caFile)}`);
  }
  lines.push('users:');
  for (const c of clusters) lines.push(`- name: ${q(c.name)}`, '  user:', `    token: ${q(c.token)}`);
  lines.push('contexts:');
  for (const c of clusters) lines.push(`- name: ${q(c.name)}`, '  context:', `    cluster: ${q(c.name)}`, `    user: ${q(c.name)}`, '    namespace: default');
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o600 });
  return path;
}
