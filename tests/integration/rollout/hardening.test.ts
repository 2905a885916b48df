// Attacks from a cluster user on a real control plane (kube-apiserver + etcd) with real SoftHSM2
// tokens: steering a value into an annotation through the apply body, an API server message that
// quotes the request, and Secrets that carry Tessera's labels without being Tessera's. Afterwards
// the data dir, the WAL, the logs and the journal hold no value and no PIN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { findControlPlaneAssets, startControlPlane, type ControlPlane, type RealCluster } from '../../controlplane/harness.ts';
import { clusterApi } from '../../support/cluster-api.ts';
import { softHsmSkipReason } from '../../support/softhsm.ts';
import { createCore, type Core } from '../../../electron/core/index.ts';
import { memorySink } from '../../../electron/core/log/logger.ts';
import { httpError } from '../../../electron/core/kube/http-client.ts';
import type { ClusterOutcome, PlanView, RolloutView, ScanResult } from '../../../shared/contract/index.ts';
import { RM1, RM2, SO, makeTokens, setUpTeam, value, type Team } from './support.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : softHsmSkipReason();
if (skipReason) console.warn(`[rollout hardening.test] skipped: ${skipReason}`);

// Distinctive values: any trace of them (plain or base64) anywhere on disk or in a log is a leak.
const VALUES = { PASSWORD: 'zq7-Leak-Canary-PASSWORD-81f3', API_KEY: 'zq7-Leak-Canary-APIKEY-27c9' };
const NEEDLES = [...Object.values(VALUES).flatMap((v) => [v, Buffer.from(v).toString('base64')]), ...[SO.pin, RM1.pin, RM2.pin, SO.soPin].map((p) => p)];

describe.skipIf(skipReason !== null && skipReason !== undefined)('a cluster user against Tessera on a real control plane', () => {
  let cp: ControlPlane;
  let cluster: RealCluster;
  let ctx: string;
  let core: Core;
  let team: Team;
  let dir: string;
  const log = memorySink();

  const secret = (ns: string, name: string) => clusterApi(cluster, 'GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  const plan = (input: unknown) => value<PlanView>(core, 'rollout.plan', { ...(input as object), as: 'sofia' });
  const execute = (hash: string) => value<RolloutView>(core, 'rollout.execute', { hash, as: 'sofia' });

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 1 });
    cluster = cp.clusters[0]!;
    ctx = cluster.contexts.admin;
    dir = mkdtempSync(join(tmpdir(), 'tessera-hardening-'));
    const hsm = makeTokens();
    core = createCore(
      {
        dataDir: dir,
        kubeconfig: cp.kubeconfigPath,
        version: 'test',
        host: 'cli',
        env: { ...process.env, TESSERA_ACTOR: 'tester' },
        hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
      },
      { logSinks: [log] },
    );
    core.services.settings.set({ pkcs11Modules: [hsm.module] });
    team = await setUpTeam(core, hsm, null);
    await value(core, 'vault.createApp', { name: 'shop', namespace: 'shop', targeting: { selector: '', include: [ctx], exclude: [] } });
    await value(core, 'vault.defineSecret', { app: 'shop', name: 'shop-db', delivery: 'env', createNamespace: true });
    await value(core, 'vault.writeVersion', {
      as: 'sofia',
      app: 'shop',
      secret: 'shop-db',
      values: Object.entries(VALUES).map(([name, v]) => ({ name, value: v })),
    });
    await value(core, 'vault.setPublication', { app: 'shop', cluster: ctx, state: 'published' });
  }, 300_000);
  afterAll(async () => {
    await core?.close();
    await cp?.stop();
    team?.hsm.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rolls out the first version: the Secret is created and recorded as Tessera’s', async () => {
    const p = await plan({ scope: { apps: ['shop'] } });
    expect(p.changes.map((a) => [a.action, a.secret])).toEqual([['create', 'shop-db']]);
    expect((await execute(p.hash)).status).toBe('completed');
    const live = await secret('shop', 'shop-db');
    const db = new DatabaseSync(join(dir, 'tessera.db'), { readOnly: true });
    const row = db.prepare("SELECT uid, manager, how FROM owned_secrets WHERE namespace = 'shop' AND name = 'shop-db'").get();
    db.close();
    expect(row).toEqual({ uid: live.json.metadata.uid, manager: 'tessera', how: 'created' });
  });

  it('a same-version restore after a cluster user plants the old placeholder in provisioned-by writes no value outside data', async () => {
    // The attack of the finding: provisioned-by set to the placeholder text and a key name added
    // to tessera.dev/keys, which makes the Secret drift and forces a restore of the same version.
    const patched = await clusterApi(
      cluster,
      'PATCH',
      '/api/v1/namespaces/shop/secrets/shop-db?fieldManager=mallory',
      {
        metadata: {
          annotations: { 'tessera.dev/provisioned-by': '__tessera_data_placeholder__', 'tessera.dev/keys': 'API_KEY,PASSWORD,STOLEN' },
        },
      },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    const p = await plan({ scope: { apps: ['shop'] } });
    expect(p.changes.map((a) => [a.action, a.overwrite])).toEqual([['update', true]]);
    const rollout = await execute(p.hash);
    expect(rollout.status).toBe('completed');
    const live = (await secret('shop', 'shop-db')).json;
    expect(live.metadata.annotations['tessera.dev/provisioned-by']).toBe('sofia');
    expect(live.metadata.annotations['tessera.dev/keys']).toBe('API_KEY,PASSWORD');
    expect(JSON.stringify(live.metadata)).not.toContain(Buffer.from(VALUES.PASSWORD).toString('base64'));
    expect(Buffer.from(live.data.PASSWORD, 'base64').toString()).toBe(VALUES.PASSWORD);
  });

  it('an API server message that quotes the request is stored and shown without the quoted value, capped', async () => {
    // A real 422 whose message echoes the body (an invalid label value holding a value).
    const client = core.services.kube().registry.client(ctx);
    const body = Buffer.from(
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'echo', namespace: 'shop', labels: { x: `${VALUES.API_KEY} !` } } }),
    );
    const req = { method: 'PATCH' as const, path: '/api/v1/namespaces/shop/secrets/echo', body, contentType: 'application/apply-patch+yaml' };
    const res = await client.request({ ...req, query: { fieldManager: 'tessera' } });
    expect(res.status).toBe(422);
    expect(res.body.toString()).toContain(VALUES.API_KEY);
    const error = httpError(ctx, req, res, [body]);
    expect(error.message).toMatch(/Invalid value: \(omitted\)/u);
    expect(error.message).not.toContain(VALUES.API_KEY);
    expect(error.message.length).toBeLessThan(600);
  });

  describe('Secrets Tessera did not create', () => {
    const make = (ns: string, name: string, labels?: Record<string, string>) =>
      clusterApi(cluster, 'POST', `/api/v1/namespaces/${ns}/secrets?fieldManager=kubectl-create`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
        stringData: { k: 'not-tesseras' },
      });
    const leftAloneIn = (p: PlanView) =>
      p.body.actions
        .filter((a) => a.action === 'nothing' && a.reason.startsWith('Left alone:'))
        .map((a) => `${a.namespace}/${a.secret}`)
        .sort();
    const both = { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'shop' };
    const kept = [
      ['other', 'shop-db', 'same name in another namespace, with both labels'],
      ['shop', 'plain', 'unlabelled'],
      ['shop', 'label-only', 'managed-by label only'],
      ['shop', 'label-and-app', 'both labels, made by kubectl'],
      ['shop', 'hand-labelled', 'labelled afterwards with kubectl label'],
    ] as const;

    beforeAll(async () => {
      await clusterApi(cluster, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
      expect((await make('other', 'shop-db', both)).status).toBe(201);
      expect((await make('shop', 'plain')).status).toBe(201);
      expect((await make('shop', 'label-only', { 'app.kubernetes.io/managed-by': 'tessera' })).status).toBe(201);
      expect((await make('shop', 'label-and-app', both)).status).toBe(201);
      expect((await make('shop', 'hand-labelled')).status).toBe(201);
      const labelled = await clusterApi(
        cluster,
        'PATCH',
        '/api/v1/namespaces/shop/secrets/hand-labelled?fieldManager=kubectl-label',
        { metadata: { labels: both } },
        'application/merge-patch+json',
      );
      expect(labelled.status).toBe(200);
    });

    it("the matrix shows each labelled one as claiming to be Tessera's", async () => {
      const scan = await value<ScanResult>(core, 'kube.scan', {});
      const secrets = scan.cells.filter((c) => c.cluster === ctx).flatMap((c) => c.secrets);
      const claims = secrets.filter((s) => s.state === 'claimed').map((s) => `${s.namespace}/${s.name}`);
      expect(claims.sort()).toEqual(['other/shop-db', 'shop/hand-labelled', 'shop/label-and-app', 'shop/label-only']);
      expect(secrets.find((s) => s.name === 'hand-labelled')!.reason).toMatch(/claims to be Tessera's .* did not create or adopt it/u);
      expect(secrets.find((s) => s.namespace === 'shop' && s.name === 'shop-db')!.state).toBe('in-sync');
    });

    it('a fleet plan over every app and cluster deletes none of them and says why each is left alone', async () => {
      const p = await plan({ scope: {} });
      expect(p.changes.filter((a) => a.action === 'delete')).toEqual([]);
      const leftAlone = p.body.actions.filter((a) => a.action === 'nothing' && a.reason.startsWith('Left alone:'));
      expect(leftAlone.map((a) => `${a.namespace}/${a.secret}`).sort()).toEqual([
        'other/shop-db',
        'shop/hand-labelled',
        'shop/label-and-app',
        'shop/label-only',
      ]);
      for (const a of leftAlone) expect(a.reason).toMatch(/claims to be Tessera's .* never changes or deletes it; adopt it/u);
    });

    it('tessera deprovision removes only the Secret Tessera created; the plan it ran named the others as left alone', async () => {
      const outcomes = await value<ClusterOutcome[]>(core, 'kube.deprovision', { app: 'shop', clusters: [ctx] });
      expect(outcomes.map((o) => [o.cluster, o.ok])).toEqual([[ctx, true]]);
      expect((await secret('shop', 'shop-db')).status).toBe(404);
      for (const [ns, name, why] of kept) expect((await secret(ns, name)).status, `${ns}/${name} (${why})`).toBe(200);
      const plans = await value<{ hash: string }[]>(core, 'rollout.plans', { limit: 1 });
      const last = await value<PlanView>(core, 'rollout.getPlan', { hash: plans[0]!.hash });
      expect(last.changes.map((a) => [a.action, `${a.namespace}/${a.secret}`])).toEqual([['delete', 'shop/shop-db']]);
      // Scoped to app shop: the three that claim to be shop's (the label-only one names no app).
      expect(leftAloneIn(last)).toEqual(['other/shop-db', 'shop/hand-labelled', 'shop/label-and-app']);
    });

    it('a delete-app plan leaves them too', async () => {
      const p = await value<PlanView>(core, 'rollout.planDeleteApp', { app: 'shop', as: 'sofia' });
      expect(p.changes).toEqual([]);
      expect(leftAloneIn(p)).toEqual(['other/shop-db', 'shop/hand-labelled', 'shop/label-and-app']);
    });
  });

  it('afterwards, the data dir, the WAL, the logs and the journal hold no value and no PIN', async () => {
    // Checkpoint nothing: the WAL is read as it is, next to the main file.
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['tessera.db', 'tessera.db-wal']));
    for (const f of files) {
      const bytes = readFileSync(join(f.parentPath, f.name));
      for (const needle of NEEDLES) expect(bytes.includes(needle), `${f.name} holds a value or PIN`).toBe(false);
    }
    const logs = JSON.stringify(log.records);
    expect(log.records.length).toBeGreaterThan(0);
    for (const needle of NEEDLES) expect(logs.includes(needle), 'the log holds a value or PIN').toBe(false);
    const db = new DatabaseSync(join(dir, 'tessera.db'), { readOnly: true });
    const journal = JSON.stringify([
      db.prepare('SELECT * FROM rollout_steps').all(),
      db.prepare('SELECT * FROM rollouts').all(),
      db.prepare('SELECT * FROM audit_log').all(),
    ]);
    db.close();
    expect(journal).toContain('shop-db');
    for (const needle of NEEDLES) expect(journal.includes(needle), 'the journal holds a value or PIN').toBe(false);
  });
});
