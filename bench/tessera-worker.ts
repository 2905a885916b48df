// Benchmark child: a real Tessera core (SQLite vault in a temp data dir, a SoftHSM2 token with an
// EC P-256 key-encryption key, the Kubernetes layer on a kubeconfig) driven by the orchestrator
// over IPC. Token unwraps are counted at the token session, where every unwrap must pass.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../electron/core/index.ts';
import type { TokenSession } from '../electron/core/hsm/index.ts';
import { transaction } from '../electron/core/store/index.ts';
import { createSoftHsm, type SoftHsm } from '../tests/support/softhsm.ts';
import { rssSampler, serveOps } from './lib/rpc.ts';
import { MiB } from './lib/stats.ts';

const UNWRAP_OPS = new Set(['decryptOaep', 'ecdh', 'unwrapKwp', 'gcmDecrypt']);
export const SECRET_KEYS = ['API_TOKEN', 'DB_PASSWORD', 'DB_USER'];

let core: Core | null = null;
let hsm: SoftHsm | null = null;
let dataDir = '';
let unwraps = 0;

function values(): { name: string; value: Buffer }[] {
  return [
    { name: 'DB_USER', value: Buffer.from(`svc-${randomBytes(6).toString('hex')}`) },
    { name: 'DB_PASSWORD', value: Buffer.from(randomBytes(24).toString('base64')) },
    { name: 'API_TOKEN', value: Buffer.from(randomBytes(48).toString('base64url')) },
  ];
}

function counting(session: TokenSession): TokenSession {
  return new Proxy(session, {
    get(target, prop, receiver) {
      if (prop === 'call') {
        return (op: string, args: Record<string, unknown>, context?: unknown) => {
          if (UNWRAP_OPS.has(op)) unwraps++;
          return (target.call as (...a: unknown[]) => unknown)(op, args, context);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function need(): Core {
  if (!core) throw new Error('init first');
  return core;
}

/** The bench vault's security officer: signs its recipient and authors its versions. */
const OFFICER = 'bench-officer';

async function init(args: { kubeconfig: string; concurrency?: number }) {
  const pin = randomBytes(8).toString('hex');
  hsm = createSoftHsm([{ label: 'bench', pin, soPin: randomBytes(8).toString('hex') }]);
  const serial = hsm.tokens[0]!.serial;
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-data-'));
  core = createCore(
    {
      dataDir,
      version: 'bench',
      host: 'cli',
      kubeconfig: args.kubeconfig,
      env: { ...process.env, TESSERA_ACTOR: 'bench' },
      hsm: { modules: [hsm.module], autoLockMs: 3_600_000, presencePollMs: 600_000, keychain: null },
    },
    { logSinks: [] },
  );
  if (args.concurrency) core.services.settings.set({ concurrency: args.concurrency });
  const tokens = core.services.tokens();
  const original = tokens.session.bind(tokens);
  tokens.session = async (s: string) => counting(await original(s));
  await tokens.login(serial, pin);
  const key = await tokens.generateKey(serial, 'ec-p256', 'bench-kek');
  // A signed vault, as in real use: a security officer signs the recipient, and authors every version.
  const signing = await tokens.generateKey(serial, 'ec-p256', 'bench-officer-sign');
  await core.services.rollouts().bootstrap(OFFICER, serial, signing.keyId);
  await core.services.vault().addRecipientFromToken(serial, key.keyId, 'bench EC P-256', OFFICER);
  return { serial, concurrency: core.services.settings.get().concurrency };
}

/** B1's app: one secret, targeted by label and published on every cluster of the fleet (no approval policy is set). */
/** Without `clusters` (B3): the app only, provisioned by name through the kube layer (provisionDirect). */
async function setupProvision(args: { app: string; secret: string; clusters?: string[] }) {
  const vault = need().services.vault();
  const clusters = args.clusters ?? [];
  for (const cluster of clusters) vault.setCluster(cluster, { b1: 'yes' });
  vault.createApp({ name: args.app, namespace: 'default', ...(clusters.length > 0 ? { targeting: { selector: 'b1=yes', include: [], exclude: [] } } : {}) });
  vault.defineSecret(args.app, { name: args.secret, delivery: 'env', keyNames: SECRET_KEYS });
  const app = vault.apps.find(args.app)!;
  transaction(vault.db, () => {
    for (const cluster of clusters) vault.apps.setPublication(app.id, cluster, 'published', 'bench');
  });
  return null;
}

/** B3: the kube layer's provision path directly (`KubeService.provision`, values from the vault), per-request cost next to kubectl. */
async function provisionDirect(args: { app: string; secret: string; clusters: string[] }) {
  const c = need();
  const vault = c.services.vault();
  await vault.writeVersion(args.app, args.secret, values(), 'literal', OFFICER);
  unwraps = 0;
  const before = process.memoryUsage.rss();
  const sampler = rssSampler();
  const t0 = performance.now();
  const outcomes = await c.services.kube().provision({ app: args.app, clusters: args.clusters });
  const wallMs = performance.now() - t0;
  const peak = sampler.stop();
  const failed = outcomes.filter((o) => !o.ok);
  return {
    wallMs,
    unwraps,
    ok: outcomes.length - failed.length,
    failed: failed.length,
    firstError: failed[0]?.error?.message ?? null,
    rssBeforeMiB: before / MiB,
    rssPeakMiB: peak / MiB,
  };
}

/**
 * B1, timed: Tessera's rollout of the new version to `clusters` — plan (a fresh metadata scan of
 * the clusters in scope, then the plan computed and journaled) and execute (one unwrap for the
 * version, every cluster written through the kube layer's limiter, every step journaled).
 */
async function provision(args: { app: string; secret: string; clusters: string[] }) {
  const c = need();
  const vault = c.services.vault();
  await vault.writeVersion(args.app, args.secret, values(), 'literal', OFFICER);
  const rollouts = c.services.rollouts();
  unwraps = 0;
  const before = process.memoryUsage.rss();
  const sampler = rssSampler();
  const t0 = performance.now();
  const plan = await rollouts.plan({ scope: { apps: [args.app], clusters: args.clusters } });
  const planMs = performance.now() - t0;
  const rollout = await rollouts.execute(plan.hash);
  const wallMs = performance.now() - t0;
  const peak = sampler.stop();
  const failedClusters = rollout.clusters.filter((x) => x.state !== 'done');
  const firstError = failedClusters.find((x) => x.error)?.error?.message ?? (rollout.status === 'completed' ? null : `rollout ${rollout.status}`);
  return {
    wallMs,
    planMs,
    unwraps,
    rolloutUnwraps: rollout.unwraps,
    status: rollout.status,
    steps: rollout.total,
    ok: rollout.clusters.length - failedClusters.length,
    failed: failedClusters.length + (args.clusters.length - rollout.clusters.length),
    firstError,
    rssBeforeMiB: before / MiB,
    rssPeakMiB: peak / MiB,
  };
}

async function setupScan(args: { apps: number; clusters: string[]; labels: Record<string, string> }) {
  const vault = need().services.vault();
  const t0 = performance.now();
  for (const cluster of args.clusters) vault.setCluster(cluster, args.labels);
  const selector = Object.entries(args.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const out: { app: string; secret: string; versionId: string; keys: string[] }[] = [];
  for (let i = 0; i < args.apps; i++) {
    const app = `app-${String(i).padStart(3, '0')}`;
    vault.createApp({ name: app, namespace: 'default', targeting: { selector, include: [], exclude: [] } });
    vault.defineSecret(app, { name: `${app}-env`, delivery: 'env', keyNames: SECRET_KEYS });
    const v = await vault.writeVersion(app, `${app}-env`, values(), 'literal', OFFICER);
    out.push({ app, secret: `${app}-env`, versionId: v.id, keys: [...SECRET_KEYS].sort() });
  }
  // Publish every app on every cluster: one transaction through the repository (the UI's
  // per-cell publish action audits each one; 400,000 audited calls would only slow the setup).
  transaction(vault.db, () => {
    for (const a of vault.apps.list()) for (const cluster of args.clusters) vault.apps.setPublication(a.id, cluster, 'published', 'bench');
  });
  return { specs: out, setupMs: performance.now() - t0 };
}

async function scan(args: { clusters: string[] }) {
  const c = need();
  unwraps = 0;
  const before = process.memoryUsage.rss();
  const sampler = rssSampler();
  const t0 = performance.now();
  const result = await c.services.kube().scan(args.clusters);
  const wallMs = performance.now() - t0;
  const peak = sampler.stop();
  const states: Record<string, number> = {};
  for (const cell of result.cells) states[cell.state] = (states[cell.state] ?? 0) + 1;
  return { wallMs, unwraps, cells: result.cells.length, apps: result.apps.length, states, rssBeforeMiB: before / MiB, rssPeakMiB: peak / MiB };
}

/** Closes the core but keeps its data dir (for `tessera serve` in B5); the caller removes it. */
async function detach() {
  await core?.close();
  core = null;
  const kept = dataDir;
  dataDir = '';
  return { dataDir: kept };
}

serveOps({ init, setupProvision, provision, provisionDirect, setupScan, scan, detach }, async () => {
  await core?.close();
  hsm?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
