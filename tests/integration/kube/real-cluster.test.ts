// The Kubernetes layer against two real clusters (kube-apiserver + etcd from the harness):
// provision, idempotence, versions, wiring, deprovision, refusal of unmanaged Secrets, the scan
// states, RBAC-limited users, no values on the wire during a scan, and verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findControlPlaneAssets, startControlPlane, type ControlPlane, type RealCluster } from '../../controlplane/harness.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryOwnership } from '../../../electron/core/kube/ownership.ts';
import { memoryCatalog, type AppPublication, type SecretValues } from '../../../electron/core/kube/types.ts';
import type { RequestEvent } from '../../../electron/core/kube/http-client.ts';
import { clusterApi } from '../../support/cluster-api.ts';
import { hasKubectl, kubectl, publication, spec, values } from './support.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : undefined;
if (skipReason) console.warn(`[kube real-cluster.test] skipped: ${skipReason}`);

const api = clusterApi;

const deployment = (name: string, ns: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1', env: [{ name: 'OWN', value: 'kept' }] }] },
    },
  },
});

describe.skipIf(skipReason !== undefined)('Kubernetes layer on real clusters', () => {
  let cp: ControlPlane;
  let one: RealCluster;
  let two: RealCluster;
  let kube: KubeService;
  const pubs: AppPublication[] = [];
  const vals = new Map<string, SecretValues>();
  const events: RequestEvent[] = [];
  // Tessera's record of the Secrets it created, shared by every service of the test like the store would be.
  const ownership = memoryOwnership();
  const make = (extra: Partial<Parameters<typeof createKubeService>[0]> = {}) =>
    createKubeService({
      sources: () => ({ kubeconfigEnv: cp.kubeconfigPath }),
      limits: () => ({ concurrency: 8, requestTimeoutSeconds: 15 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog(pubs, vals),
      scans: memoryScanStore(),
      observer: (e) => events.push({ ...e, body: e.body ? Buffer.from(e.body) : null }),
      principal: () => 'alice',
      ownership,
      ...extra,
    });

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 2 });
    [one, two] = cp.clusters as [RealCluster, RealCluster];
    kube = make();
  }, 180_000);
  afterAll(async () => {
    kube?.close();
    await cp?.stop();
  });

  const setVersion = (app: string, versionId: string, entries: Record<string, string>, over: Parameters<typeof spec>[1] = {}) => {
    const s = spec(app, { versionId, keys: Object.keys(entries).sort(), ...over });
    vals.set(versionId, values(versionId, entries));
    const existing = pubs.findIndex((p) => p.app === app);
    const p = publication(app, [one.contexts.admin, two.contexts.admin], [s]);
    if (existing >= 0) pubs[existing] = { ...pubs[existing]!, secrets: [s] };
    else pubs.push(p);
    return s;
  };

  it('provisions a Secret with the right labels, annotations, data and field manager', async () => {
    setVersion('billing', 'billing-v1', { API_KEY: 'k1', DB_PASSWORD: 'p1' });
    const out = await kube.provision({ app: 'billing' });
    expect(out.map((o) => [o.cluster, o.ok, o.secrets[0]?.action])).toEqual([
      [one.contexts.admin, true, 'created'],
      [two.contexts.admin, true, 'created'],
    ]);
    const live = await api(one, 'GET', '/api/v1/namespaces/payments/secrets/billing-secret');
    expect(live.json.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'billing' });
    expect(live.json.metadata.annotations).toMatchObject({
      'tessera.dev/version-id': 'billing-v1',
      'tessera.dev/keys': 'API_KEY,DB_PASSWORD',
      'tessera.dev/provisioned-by': 'alice',
    });
    expect(Date.parse(live.json.metadata.annotations['tessera.dev/provisioned-at'])).toBeGreaterThan(0);
    expect(Buffer.from(live.json.data.API_KEY, 'base64').toString()).toBe('k1');
    expect(Buffer.from(live.json.data.DB_PASSWORD, 'base64').toString()).toBe('p1');
    const managers = live.json.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`);
    expect(managers).toEqual(['tessera/Apply']);
  });

  it('applying again changes nothing (same resourceVersion)', async () => {
    const before = await api(one, 'GET', '/api/v1/namespaces/payments/secrets/billing-secret');
    const out = await kube.provision({ app: 'billing', clusters: [one.contexts.admin] });
    expect(out[0]!.secrets[0]!.action).toBe('unchanged');
    const after = await api(one, 'GET', '/api/v1/namespaces/payments/secrets/billing-secret');
    expect(after.json.metadata.resourceVersion).toBe(before.json.metadata.resourceVersion);
  });

  it('scan: in-sync after provision, and no Secret value crossed the wire', async () => {
    events.length = 0;
    const progress: string[] = [];
    const scanning = make({ events: { emit: (name: string, p: any) => progress.push(`${name}:${p.cluster}`), subscribe: () => () => {} } as any });
    const result = await scanning.scan([one.contexts.admin, two.contexts.admin]);
    scanning.close();
    const cells = result.cells.filter((c) => c.app === 'billing');
    expect(cells.map((c) => c.state)).toEqual(['in-sync', 'in-sync']);
    expect(progress.sort()).toEqual([`scan.progress:${one.contexts.admin}`, `scan.progress:${two.contexts.admin}`]);
    const lists = events.filter((e) => e.method === 'GET');
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const e of lists) {
      expect(e.accept).toContain('as=PartialObjectMetadataList');
      const body = JSON.parse(e.body!.toString());
      expect(body.kind).toBe('PartialObjectMetadataList');
      for (const item of body.items) expect(item.data).toBeUndefined();
      expect(e.body!.toString()).not.toContain(Buffer.from('k1').toString('base64'));
    }
  });

  it('a new version updates the Secret', async () => {
    setVersion('billing', 'billing-v2', { API_KEY: 'k2', DB_PASSWORD: 'p2' });
    const out = await kube.provision({ app: 'billing', clusters: [one.contexts.admin] });
    expect(out[0]!.secrets[0]!.action).toBe('updated');
    const live = await api(one, 'GET', '/api/v1/namespaces/payments/secrets/billing-secret');
    expect(live.json.metadata.annotations['tessera.dev/version-id']).toBe('billing-v2');
    expect(Buffer.from(live.json.data.API_KEY, 'base64').toString()).toBe('k2');
  });

  it('scan: an older version live is outdated', async () => {
    const result = await kube.scan([one.contexts.admin, two.contexts.admin]);
    const byCluster = Object.fromEntries(result.cells.filter((c) => c.app === 'billing').map((c) => [c.cluster, c]));
    expect(byCluster[one.contexts.admin]!.state).toBe('in-sync');
    expect(byCluster[two.contexts.admin]!.state).toBe('outdated');
    expect(byCluster[two.contexts.admin]!.reason).toContain('billing-v1');
  });

  it('scan: a data change by another field manager is drifted, naming the manager and the keys', async () => {
    if (hasKubectl) {
      const r = kubectl(cp.kubeconfigPath, one.contexts.admin, [
        '-n',
        'payments',
        'patch',
        'secret',
        'billing-secret',
        '--type=merge',
        '-p',
        JSON.stringify({ data: { API_KEY: Buffer.from('hacked').toString('base64') } }),
      ]);
      expect(r.status, r.stderr).toBe(0);
    } else {
      const r = await api(
        one,
        'PATCH',
        '/api/v1/namespaces/payments/secrets/billing-secret?fieldManager=kubectl-patch',
        { data: { API_KEY: Buffer.from('hacked').toString('base64') } },
        'application/merge-patch+json',
      );
      expect(r.status).toBe(200);
    }
    const result = await kube.scan([one.contexts.admin]);
    const cell = result.cells.find((c) => c.app === 'billing')!;
    expect(cell.state).toBe('drifted');
    expect(cell.secrets[0]!.drift[0]).toMatchObject({ manager: 'kubectl-patch', keys: ['API_KEY'] });
    expect(cell.secrets[0]!.drift[0]!.time).not.toBeNull();
    expect(cell.reason).toContain('kubectl-patch');
    expect(cell.reason).toContain('API_KEY');
  });

  it('re-provisioning a drifted Secret reports the conflict instead of silently taking the field', async () => {
    const out = await kube.provision({ app: 'billing', clusters: [one.contexts.admin] });
    expect(out[0]!.ok).toBe(false);
    expect(out[0]!.error).toMatchObject({ code: 'CONFLICT' });
    expect(out[0]!.error!.message).toContain('kubectl-patch');
    const forced = await kube.provision({ app: 'billing', clusters: [one.contexts.admin], overwrite: true });
    expect(forced[0]!.ok).toBe(true);
    const result = await kube.scan([one.contexts.admin]);
    expect(result.cells.find((c) => c.app === 'billing')!.state).toBe('in-sync');
  });

  it('verify finds a value changed out of band that left the key set intact', async () => {
    const ok = await kube.verify([{ app: 'billing', cluster: one.contexts.admin }]);
    expect(ok[0]).toMatchObject({ state: 'in-sync' });
    // Same manager as Tessera, same keys: the metadata cannot show it, only the values can.
    const r = await api(
      one,
      'PATCH',
      '/api/v1/namespaces/payments/secrets/billing-secret?fieldManager=tessera',
      { data: { DB_PASSWORD: Buffer.from('changed').toString('base64') } },
      'application/merge-patch+json',
    );
    expect(r.status).toBe(200);
    const verified = await kube.verify([{ app: 'billing', cluster: one.contexts.admin }]);
    expect(verified[0]!.state).toBe('drifted');
    expect(verified[0]!.reason).toContain('DB_PASSWORD');
    expect(verified[0]!.reason).not.toContain('changed');
    await kube.provision({ app: 'billing', clusters: [one.contexts.admin], overwrite: true });
  });

  it('scan: kubectl delete makes the cell missing', async () => {
    if (hasKubectl) expect(kubectl(cp.kubeconfigPath, two.contexts.admin, ['-n', 'payments', 'delete', 'secret', 'billing-secret']).status).toBe(0);
    else expect((await api(two, 'DELETE', '/api/v1/namespaces/payments/secrets/billing-secret')).status).toBe(200);
    const result = await kube.scan([two.contexts.admin]);
    expect(result.cells.find((c) => c.app === 'billing')).toMatchObject({ state: 'missing' });
  });

  it('scan: a managed Secret of an app no longer published there is orphaned', async () => {
    const p = pubs.find((x) => x.app === 'billing')!;
    const before = p.published;
    p.published = before.filter((c) => c !== one.contexts.admin);
    const result = await kube.scan([one.contexts.admin]);
    expect(result.cells.find((c) => c.app === 'billing')).toMatchObject({ state: 'orphaned' });
    p.published = before;
  });

  it('wires into a Deployment as env entries; the pod-template annotation follows the version; deprovision removes wiring and Secret', async () => {
    expect((await api(one, 'POST', '/apis/apps/v1/namespaces/payments/deployments', deployment('web', 'payments'))).status).toBe(201);
    setVersion('web', 'web-v1', { API_KEY: 'w1', TOKEN: 't1' }, { name: 'web-secret', workload: { kind: 'Deployment', name: 'web' } });
    expect((await kube.provision({ app: 'web', clusters: [one.contexts.admin] }))[0]).toMatchObject({ ok: true });
    let d = (await api(one, 'GET', '/apis/apps/v1/namespaces/payments/deployments/web')).json;
    const env = d.spec.template.spec.containers[0].env;
    expect(env.map((e: any) => e.name)).toEqual(['OWN', 'API_KEY', 'TOKEN']);
    expect(env[1].valueFrom.secretKeyRef).toEqual({ name: 'web-secret', key: 'API_KEY' });
    expect(d.spec.template.metadata.annotations['version.tessera.dev/web-secret']).toBe('web-v1');
    setVersion('web', 'web-v2', { API_KEY: 'w2', TOKEN: 't2' }, { name: 'web-secret', workload: { kind: 'Deployment', name: 'web' } });
    await kube.provision({ app: 'web', clusters: [one.contexts.admin] });
    d = (await api(one, 'GET', '/apis/apps/v1/namespaces/payments/deployments/web')).json;
    expect(d.spec.template.metadata.annotations['version.tessera.dev/web-secret']).toBe('web-v2');

    const out = await kube.deprovision({ app: 'web', clusters: [one.contexts.admin] });
    expect(out[0]).toMatchObject({ ok: true, secrets: [{ action: 'deleted', wiring: 'removed' }] });
    d = (await api(one, 'GET', '/apis/apps/v1/namespaces/payments/deployments/web')).json;
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'OWN', value: 'kept' }]);
    expect(d.spec.template.metadata.annotations?.['version.tessera.dev/web-secret']).toBeUndefined();
    expect((await api(one, 'GET', '/api/v1/namespaces/payments/secrets/web-secret')).status).toBe(404);
  });

  it('wires as a secret volume and mount', async () => {
    expect((await api(one, 'POST', '/apis/apps/v1/namespaces/payments/deployments', deployment('files', 'payments'))).status).toBe(201);
    setVersion(
      'files',
      'files-v1',
      { 'tls.key': 'x' },
      { name: 'files-secret', delivery: 'volume', mountPath: '/etc/tessera', workload: { kind: 'Deployment', name: 'files', container: 'main' } },
    );
    expect((await kube.provision({ app: 'files', clusters: [one.contexts.admin] }))[0]).toMatchObject({ ok: true });
    const d = (await api(one, 'GET', '/apis/apps/v1/namespaces/payments/deployments/files')).json;
    expect(d.spec.template.spec.volumes).toEqual([
      expect.objectContaining({ name: 'tessera-files-secret', secret: expect.objectContaining({ secretName: 'files-secret' }) }),
    ]);
    expect(d.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'tessera-files-secret', mountPath: '/etc/tessera', readOnly: true }]);
    await kube.deprovision({ app: 'files', clusters: [one.contexts.admin] });
    const after = (await api(one, 'GET', '/apis/apps/v1/namespaces/payments/deployments/files')).json;
    expect(after.spec.template.spec.volumes).toBeUndefined();
  });

  it('refuses to change or delete a Secret it does not manage', async () => {
    expect(
      (
        await api(two, 'POST', '/api/v1/namespaces/payments/secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'foreign-secret', namespace: 'payments' },
          data: { A: 'eA==' },
        })
      ).status,
    ).toBe(201);
    setVersion('foreign', 'foreign-v1', { A: 'mine' }, { name: 'foreign-secret' });
    const out = await kube.provision({ app: 'foreign', clusters: [two.contexts.admin] });
    expect(out[0]!.error).toMatchObject({ code: 'CONFLICT' });
    expect(out[0]!.error!.message).toContain('payments/foreign-secret');
    const del = await kube.deprovision({ app: 'foreign', clusters: [two.contexts.admin] });
    expect(del[0]!.error).toMatchObject({ code: 'CONFLICT' });
    const live = await api(two, 'GET', '/api/v1/namespaces/payments/secrets/foreign-secret');
    expect(live.json.data).toEqual({ A: 'eA==' });
  });

  it('the RBAC-limited user gets forbidden cells, not errors; the viewer cannot scan values', async () => {
    setVersion('team', 'team-v1', { K: 'v' }, { name: 'team-secret', namespace: 'team-a', createNamespace: false });
    const p = pubs.find((x) => x.app === 'team')!;
    p.targeting.include = [one.contexts.limited, one.contexts.viewer];
    p.published = [...p.targeting.include];
    const out = await kube.provision({ app: 'team', clusters: [one.contexts.limited] });
    expect(out[0]).toMatchObject({ ok: true });
    // An app in a namespace the limited user cannot read.
    const billing = pubs.find((x) => x.app === 'billing')!;
    billing.targeting.include = [...billing.targeting.include, one.contexts.limited, one.contexts.viewer];
    billing.published = [...billing.targeting.include];
    const result = await kube.scan([one.contexts.limited, one.contexts.viewer]);
    const cell = (app: string, cluster: string) => result.cells.find((c) => c.app === app && c.cluster === cluster)!;
    expect(cell('team', one.contexts.limited).state).toBe('in-sync');
    expect(cell('billing', one.contexts.limited).state).toBe('forbidden');
    expect(cell('team', one.contexts.viewer).state).toBe('forbidden');
    expect(cell('billing', one.contexts.viewer).state).toBe('forbidden');
    const verify = await kube.verify([{ app: 'team', cluster: one.contexts.viewer }]);
    expect(verify[0]!.state).toBe('forbidden');
  });

  it('probes reachability, version and access per targeted namespace', async () => {
    const [admin, limited] = await kube.probe([one.contexts.admin, one.contexts.limited]);
    expect(admin).toMatchObject({ reachable: true, error: null });
    expect(admin!.serverVersion).toMatch(/^v1\./);
    expect(admin!.access.every((a) => a.allowed)).toBe(true);
    const teamA = limited!.access.filter((a) => a.namespace === 'team-a');
    expect(teamA.filter((a) => a.resource === 'secrets').every((a) => a.allowed)).toBe(true);
    expect(limited!.access.filter((a) => a.namespace === 'payments').some((a) => a.allowed)).toBe(false);
  });
});
