// What ships is what is tested: builds dist/electron with scripts/build.ts, then drives the BUILT
// core (dist/electron/core.cjs, loaded with require as Electron's main.cjs loads it) and the
// BUILT command (`node dist/electron/tessera.cjs serve`) through the one dispatcher, with real
// SoftHSM2 tokens, a real control plane and a real SQLite file: token list, unlock, key creation,
// secret write and reveal, scan, plan, approve, execute.
//
// Why this fails when the worker is lost: the core bundle does not contain the PKCS#11 worker
// (checked below), so every token call needs dist/electron/pkcs11-worker.cjs, found beside
// core.cjs. Dropping the worker entry from scripts/electron-layout.ts (the build starts from an
// empty folder), or resolving it wrongly (as `new URL('./pkcs11-worker.ts', import.meta.url)` did
// under CommonJS), makes "hsm.tokens" list no token and every later step fail; the last test
// shows exactly that with a copy of the build that lacks the worker file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { findControlPlaneAssets, startControlPlane, type ControlPlane } from '../../controlplane/harness.ts';
import { clusterApi } from '../../support/cluster-api.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { serveTessera, type ServedTessera } from '../../support/serve.ts';
import { BUNDLES } from '../../../scripts/electron-layout.ts';
import { countAwaitingApproval } from '../../../electron/main/approval-badge.ts';
import type * as CoreBundle from '../../../electron/core/bundle-entry.ts';
import type { Core } from '../../../electron/core/index.ts';
import type { PlanView, RevealedVersion, RolloutView, ScanResult, TokenInfoView, TokenKeyView, TokenModuleView } from '../../../shared/contract/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outDir = join(root, 'dist', 'electron');
const require = createRequire(import.meta.url);

const SO = { label: 'bundle-so', pin: '864202-so', soPin: '975313-so-so' };
const RM = { label: 'bundle-rm', pin: '864202-rm', soPin: '975313-rm-so' };

const hsmSkip = softHsmSkipReason();
const found = findControlPlaneAssets();
const clusterSkip = 'skipReason' in found ? found.skipReason : null;
if (hsmSkip) console.warn(`[built-core.test] skipped: ${hsmSkip}`);
if (clusterSkip) console.warn(`[built-core.test] cluster steps skipped: ${clusterSkip}`);

type Call = <T>(channel: string, input: unknown) => Promise<T>;

function loadBuiltCore(dir: string): typeof CoreBundle {
  return require(join(dir, 'core.cjs')) as typeof CoreBundle;
}

function coreCaller(core: Core): Call {
  return async <T>(channel: string, input: unknown) => {
    const result = await core.dispatcher.dispatch(channel, input, { transport: 'test' });
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  };
}

function httpCaller(served: ServedTessera): Call {
  return async <T>(channel: string, input: unknown) => {
    const response = await fetch(`${served.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const result = (await response.json()) as
      { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: { confirmation?: string } } };
    if (!result.ok && result.error.details?.confirmation === 'code' && (input as { confirmation?: string }).confirmation === undefined) {
      // Module paths need the one-time code `tessera serve` printed on its terminal, as a person would type it.
      const codes = [...served.output().matchAll(/one-time code (\d{3}-\d{3})/gu)];
      return httpCaller(served)<T>(channel, { ...(input as object), confirmation: codes.at(-1)![1] });
    }
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
}

/** Every initialised token of the SoftHSM2 module that answered, by label (serial by label). */
function tokensByLabel(modules: TokenModuleView[], module: string): Map<string, string> {
  const byLabel = new Map<string, string>();
  for (const m of modules.filter((x) => x.path === module)) for (const s of m.slots) if (s.token?.label) byLabel.set(s.token.label, s.token.serial);
  return byLabel;
}

/**
 * The whole path of a secret from a token to a cluster, through one caller. `name` keeps the two
 * runs (built core, built server) apart on the shared cluster.
 */
async function secretToCluster(call: Call, hsm: SoftHsm, name: string, cluster: string | null) {
  await call('settings.set', { patch: { pkcs11Modules: [hsm.module] } });
  const modules = await call<TokenModuleView[]>('hsm.tokens', {});
  const serials = tokensByLabel(modules, hsm.module);
  expect(modules.find((m) => m.path === hsm.module)?.problem ?? null).toBeNull();
  expect([...serials.keys()].sort()).toEqual([RM.label, SO.label]);
  const so = serials.get(SO.label)!;
  const rm = serials.get(RM.label)!;

  const unlocked = await call<TokenInfoView>('hsm.login', { tokenSerial: so, pin: SO.pin });
  expect(unlocked.state).toBe('unlocked');
  await call('hsm.login', { tokenSerial: rm, pin: RM.pin });
  const gen = (tokenSerial: string, label: string) => call<TokenKeyView>('hsm.generateKey', { tokenSerial, type: 'ec-p256', label: `${name}-${label}` });
  const kek = await gen(so, 'kek');
  const soSign = await gen(so, 'sofia-sign');
  const rmSign = await gen(rm, 'rm-sign');
  expect(kek.keyId).toMatch(/^[0-9a-f]+$/u);

  await call('rollout.bootstrap', { name: 'sofia', tokenSerial: so, keyId: soSign.keyId });
  // The recipient is signed into the chain by the security officer.
  await call('vault.addRecipient', { tokenSerial: so, keyId: kek.keyId, label: 'vault kek', signer: 'sofia' });
  await call('rollout.grantRoles', { name: 'sofia', roles: ['security-officer', 'release-manager'], signer: 'sofia' });
  await call('rollout.addPrincipal', { name: 'rm', roles: ['release-manager'], tokenSerial: rm, keyId: rmSign.keyId, signer: 'sofia' });
  await call('rollout.setPolicy', { name: 'prod', requiredApprovals: 1, selector: 'env=prod', excludeRequester: true, signer: 'sofia' });

  await call('vault.createApp', { name, namespace: name, targeting: { selector: 'env=prod', include: [], exclude: [] } });
  await call('vault.defineSecret', { app: name, name: 'db', delivery: 'env', createNamespace: true });
  await call('vault.writeVersion', { app: name, secret: 'db', values: [{ name: 'PASSWORD', value: `${name}-pw` }], as: 'sofia' });
  const revealed = await call<RevealedVersion>('vault.reveal', { app: name, secret: 'db', as: 'sofia' });
  expect(revealed.values.map((v) => [v.name, v.value])).toEqual([['PASSWORD', `${name}-pw`]]);

  if (!cluster) return;
  await call('kube.setLabels', { cluster, set: { env: 'prod' } });
  await call('vault.setPublication', { app: name, cluster, state: 'published' });
  const before = await call<ScanResult>('kube.scan', {});
  expect(before.cells.find((c) => c.app === name && c.cluster === cluster)?.state).toBe('missing');
  const plan = await call<PlanView>('rollout.plan', { scope: { apps: [name] }, as: 'sofia' });
  expect(plan.changes.map((a) => [a.cluster, a.action])).toEqual([[cluster, 'create']]);
  expect(plan.approved).toBe(false);
  // The shell's approvals badge, counted through the same dispatcher: rm has one plan to sign, sofia (the requester) none.
  const orNull = async <T>(channel: string, input: unknown) => call<T>(channel, input).catch(() => null);
  expect(await countAwaitingApproval(orNull, 'rm')).toBe(1);
  expect(await countAwaitingApproval(orNull, 'sofia')).toBe(0);
  const approved = await call<PlanView>('rollout.approve', { hash: plan.hash, principal: 'rm' });
  expect(approved.approved).toBe(true);
  expect(await countAwaitingApproval(orNull, 'rm')).toBe(0);
  const rollout = await call<RolloutView>('rollout.execute', { hash: plan.hash, as: 'sofia' });
  expect(rollout.status).toBe('completed');
  expect(rollout.unwraps).toBe(1);
  const after = await call<ScanResult>('kube.scan', {});
  expect(after.cells.find((c) => c.app === name && c.cluster === cluster)?.state).toBe('in-sync');
}

describe.skipIf(hsmSkip !== null)('the built Electron bundle (dist/electron)', () => {
  let hsm: SoftHsm;
  let cp: ControlPlane | null = null;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.ts'), 'electron'], { cwd: root, stdio: 'pipe' });
    hsm = createSoftHsm([SO, RM]);
    if (!clusterSkip) cp = await startControlPlane({ clusters: 1 });
  }, 300_000);
  afterAll(async () => {
    await cp?.stop();
    hsm?.cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('has the core, the worker and the hosts as files of their own, the worker outside the core', () => {
    for (const bundle of BUNDLES) expect(existsSync(join(outDir, bundle.out)), bundle.out).toBe(true);
    expect(BUNDLES.find((b) => b.role === 'worker')?.out).toBe('pkcs11-worker.cjs');
    const core = readFileSync(join(outDir, 'core.cjs'), 'utf8');
    const worker = readFileSync(join(outDir, 'pkcs11-worker.cjs'), 'utf8');
    // C_GetSlotList is called only by the worker: in core.cjs it would mean the worker was inlined.
    expect(worker).toContain('C_GetSlotList');
    expect(core).not.toContain('C_GetSlotList');
    // The hosts load the core from ./core.cjs rather than carrying a copy of it.
    for (const host of ['main.cjs', 'tessera.cjs']) {
      const text = readFileSync(join(outDir, host), 'utf8');
      expect(text).toContain('require("./core.cjs")');
      expect(text).not.toContain('createTokenService');
    }
  });

  it('runs the built command with the core and contract from core.cjs: errors keep their code, the version is found', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(outDir, 'tessera.cjs'), ...args], { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: hsm.conf } });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout.trim()).toBe(pkg.version);
    // A TesseraError thrown in core.cjs is recognised by the command (one class, not two copies): NOT_FOUND, not INTERNAL.
    const missing = run(['app', 'show', 'no-such-app', '--json', '--data-dir', tempDir('tessera-bundle-cli-')]);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('drives the built core through its dispatcher: tokens, keys, a secret, scan, plan, approve, execute', async () => {
    const built = loadBuiltCore(outDir);
    const dataDir = tempDir('tessera-bundle-core-');
    const core = built.createCore(
      {
        dataDir,
        kubeconfig: cp?.kubeconfigPath,
        version: 'bundle-test',
        host: 'electron',
        env: { ...process.env, TESSERA_ACTOR: 'tester' },
        hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
      },
      { logSinks: [] },
    );
    try {
      await secretToCluster(coreCaller(core as Core), hsm, 'bundle-core', cp?.clusters[0]!.contexts.admin ?? null);
    } finally {
      await core.close();
    }
    // A real SQLite file holds the vault: the value is in it only as ciphertext.
    const db = new DatabaseSync(join(dataDir, 'tessera.db'), { readOnly: true });
    const versions = db.prepare('SELECT count(*) AS n FROM secret_versions').get() as { n: number };
    db.close();
    expect(versions.n).toBe(1);
    expect(readFileSync(join(dataDir, 'tessera.db')).includes(Buffer.from('bundle-core-pw'))).toBe(false);
    if (cp) {
      const live = await clusterApi(cp.clusters[0]!, 'GET', '/api/v1/namespaces/bundle-core/secrets/db');
      expect(live.status).toBe(200);
      expect(Buffer.from(live.json.data.PASSWORD, 'base64').toString()).toBe('bundle-core-pw');
    }
  });

  it('runs `tessera serve` from the built files with the same flow over HTTP', async () => {
    const rendererDir = tempDir('tessera-bundle-renderer-');
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
    const args = cp ? ['--kubeconfig', cp.kubeconfigPath] : [];
    const served = await serveTessera({
      dataDir: tempDir('tessera-bundle-serve-'),
      bin: join(outDir, 'tessera.cjs'),
      args,
      env: { SOFTHSM2_CONF: hsm.conf, TESSERA_ACTOR: 'tester', TESSERA_RENDERER_DIR: rendererDir },
    });
    try {
      const page = await fetch(`${served.origin}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const info = await httpCaller(served)<{ host: string }>('app.info', {});
      expect(info.host).toBe('headless');
      await secretToCluster(httpCaller(served), hsm, 'bundle-serve', cp?.clusters[0]!.contexts.admin ?? null);
    } finally {
      await served.stop();
    }
    expect(served.output()).not.toContain(SO.pin);
    expect(served.output()).not.toContain('bundle-serve-pw');
  });

  it('fails without the worker file: the test above depends on it (a copy of the build without it lists no token)', async () => {
    const copy = tempDir('tessera-bundle-noworker-');
    cpSync(outDir, copy, { recursive: true });
    rmSync(join(copy, 'pkcs11-worker.cjs'));
    const built = loadBuiltCore(copy);
    const core = built.createCore(
      {
        dataDir: tempDir('tessera-bundle-noworker-data-'),
        version: 'bundle-test',
        host: 'electron',
        hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
      },
      { logSinks: [] },
    );
    try {
      core.services.settings.set({ pkcs11Modules: [hsm.module] });
      const result = await core.dispatcher.dispatch('hsm.tokens', {}, { transport: 'test' });
      const listed = result.ok ? tokensByLabel(result.value as TokenModuleView[], hsm.module).size : 0;
      expect(listed).toBe(0);
    } finally {
      await core.close();
    }
  });
});
