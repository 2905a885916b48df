// Wiring per secret on a real control plane: two secrets of one app (db-creds as env entries,
// tls-files as a volume) wired into one Deployment, StatefulSet, DaemonSet and CronJob. Each is
// changed and removed alone with the other's wiring intact (one field manager per secret), and a
// volume removed by hand shows as drift naming the manager whose field is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findControlPlaneAssets, startControlPlane, type ControlPlane, type RealCluster } from '../../controlplane/harness.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog, type AppPublication, type SecretSpec, type SecretValues } from '../../../electron/core/kube/types.ts';
import { clusterApi as api } from '../../support/cluster-api.ts';
import { hasKubectl, kubectl, publication, spec, values } from './support.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : undefined;
if (skipReason) console.warn(`[kube wiring.test] skipped: ${skipReason}`);

const NS = 'shop';
const podTemplate = (name: string, restartPolicy?: string) => ({
  metadata: { labels: { app: name } },
  spec: {
    ...(restartPolicy ? { restartPolicy } : {}),
    containers: [{ name: 'main', image: 'registry.invalid/app:1', env: [{ name: 'OWN', value: 'kept' }] }],
  },
});

const WORKLOADS = [
  {
    kind: 'Deployment',
    path: `/apis/apps/v1/namespaces/${NS}/deployments`,
    template: (o: any) => o.spec.template,
    object: (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS },
      spec: { selector: { matchLabels: { app: name } }, template: podTemplate(name) },
    }),
  },
  {
    kind: 'StatefulSet',
    path: `/apis/apps/v1/namespaces/${NS}/statefulsets`,
    template: (o: any) => o.spec.template,
    object: (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace: NS },
      spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate(name) },
    }),
  },
  {
    kind: 'DaemonSet',
    path: `/apis/apps/v1/namespaces/${NS}/daemonsets`,
    template: (o: any) => o.spec.template,
    object: (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: NS },
      spec: { selector: { matchLabels: { app: name } }, template: podTemplate(name) },
    }),
  },
  {
    kind: 'CronJob',
    path: `/apis/batch/v1/namespaces/${NS}/cronjobs`,
    template: (o: any) => o.spec.jobTemplate.spec.template,
    object: (name: string) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace: NS },
      spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate(name, 'OnFailure') } } },
    }),
  },
] as const;

describe.skipIf(skipReason !== undefined)('wiring per secret on a real control plane', () => {
  let cp: ControlPlane;
  let one: RealCluster;
  let kube: KubeService;
  const pubs: AppPublication[] = [];
  const vals = new Map<string, SecretValues>();

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 1 });
    [one] = cp.clusters as [RealCluster];
    kube = createKubeService({
      sources: () => ({ kubeconfigEnv: cp.kubeconfigPath }),
      limits: () => ({ concurrency: 8, requestTimeoutSeconds: 15 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog(pubs, vals),
      scans: memoryScanStore(),
      principal: () => 'alice',
    });
  }, 180_000);
  afterAll(async () => {
    kube?.close();
    await cp?.stop();
  });

  for (const w of WORKLOADS) {
    describe(w.kind, () => {
      const name = `api-${w.kind.toLowerCase()}`;
      const app = `shop-${w.kind.toLowerCase()}`;
      const workload = { kind: w.kind, name };
      const get = async () => w.template((await api(one, 'GET', `${w.path}/${name}`)).json);
      const db = (versionId: string, keys: string[]): SecretSpec =>
        spec(app, { name: `${app}-db-creds`, namespace: NS, versionId, keys, delivery: 'env', workload });
      const tls = (versionId: string): SecretSpec =>
        spec(app, { name: `${app}-tls-files`, namespace: NS, versionId, keys: ['tls.crt'], delivery: 'volume', mountPath: '/etc/tls', workload });
      const publish = (secrets: SecretSpec[]) => {
        const i = pubs.findIndex((p) => p.app === app);
        const p = publication(app, [one.contexts.admin], secrets);
        if (i >= 0) pubs[i] = p;
        else pubs.push(p);
      };
      const envNames = (t: any) => (t.spec.containers[0].env ?? []).map((e: any) => e.name);
      const volumes = (t: any) => (t.spec.volumes ?? []).map((v: any) => v.name);
      const mounts = (t: any) => (t.spec.containers[0].volumeMounts ?? []).map((m: any) => m.mountPath);

      it('wires both secrets, each under its own field manager', async () => {
        await api(one, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
        expect((await api(one, 'POST', w.path, w.object(name))).status).toBe(201);
        vals.set(`${app}-db1`, values(`${app}-db1`, { DB_USER: 'u', DB_PASSWORD: 'p' }));
        vals.set(`${app}-tls1`, values(`${app}-tls1`, { 'tls.crt': 'c' }));
        publish([db(`${app}-db1`, ['DB_PASSWORD', 'DB_USER']), tls(`${app}-tls1`)]);
        const out = await kube.provision({ app });
        expect(out[0]).toMatchObject({ ok: true, error: null });
        const t = await get();
        expect(envNames(t)).toEqual(['OWN', 'DB_PASSWORD', 'DB_USER']);
        expect(volumes(t)).toEqual([`tessera-${app}-tls-files`]);
        expect(mounts(t)).toEqual(['/etc/tls']);
        expect(t.metadata.annotations).toMatchObject({
          [`version.tessera.dev/${app}-db-creds`]: `${app}-db1`,
          [`version.tessera.dev/${app}-tls-files`]: `${app}-tls1`,
        });
        const managers = (await api(one, 'GET', `${w.path}/${name}`)).json.metadata.managedFields.map((m: any) => m.manager);
        expect(managers).toEqual(expect.arrayContaining([`tessera/${app}/${app}-db-creds`, `tessera/${app}/${app}-tls-files`]));
        expect(managers).not.toContain('tessera');
        const scan = await kube.scan([one.contexts.admin]);
        expect(scan.cells.find((c) => c.app === app)).toMatchObject({ state: 'in-sync' });
      });

      it('changing the env secret alone (a key dropped, one added) leaves the volume wiring intact', async () => {
        vals.set(`${app}-db2`, values(`${app}-db2`, { DB_URL: 'x', DB_PASSWORD: 'p2' }));
        publish([db(`${app}-db2`, ['DB_PASSWORD', 'DB_URL']), tls(`${app}-tls1`)]);
        expect((await kube.provision({ app }))[0]).toMatchObject({ ok: true });
        const t = await get();
        expect(envNames(t)).toEqual(['OWN', 'DB_PASSWORD', 'DB_URL']);
        expect(volumes(t)).toEqual([`tessera-${app}-tls-files`]);
        expect(mounts(t)).toEqual(['/etc/tls']);
        expect(t.metadata.annotations[`version.tessera.dev/${app}-tls-files`]).toBe(`${app}-tls1`);
      });

      it('changing the volume secret alone (new mount path) leaves the env wiring intact', async () => {
        vals.set(`${app}-tls2`, values(`${app}-tls2`, { 'tls.crt': 'c2' }));
        publish([db(`${app}-db2`, ['DB_PASSWORD', 'DB_URL']), { ...tls(`${app}-tls2`), mountPath: '/etc/tls2' }]);
        expect((await kube.provision({ app }))[0]).toMatchObject({ ok: true });
        const t = await get();
        expect(mounts(t)).toEqual(['/etc/tls2']);
        expect(envNames(t)).toEqual(['OWN', 'DB_PASSWORD', 'DB_URL']);
        expect(t.metadata.annotations[`version.tessera.dev/${app}-db-creds`]).toBe(`${app}-db2`);
      });

      it('a volume removed by hand is drift naming the manager whose field is gone', async () => {
        const path = `${w.path}/${name}`;
        const pointer = w.kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
        const patch = [
          { op: 'remove', path: `${pointer}/volumes/0` },
          { op: 'remove', path: `${pointer}/containers/0/volumeMounts/0` },
        ];
        if (hasKubectl) {
          const r = kubectl(cp.kubeconfigPath, one.contexts.admin, ['-n', NS, 'patch', w.kind.toLowerCase(), name, '--type=json', '-p', JSON.stringify(patch)]);
          expect(r.stderr).toBe('');
        } else expect((await api(one, 'PATCH', path, patch, 'application/json-patch+json')).status).toBe(200);
        const scan = await kube.scan([one.contexts.admin]);
        const cell = scan.cells.find((c) => c.app === app)!;
        expect(cell.state).toBe('drifted');
        const tlsCell = cell.secrets.find((s) => s.name === `${app}-tls-files`)!;
        expect(tlsCell.state).toBe('drifted');
        expect(tlsCell.wiring?.[0]).toMatchObject({
          workload: `${w.kind}/${name}`,
          manager: `tessera/${app}/${app}-tls-files`,
          missing: [`volume tessera-${app}-tls-files`, 'mount /etc/tls2 in container main'],
        });
        expect(tlsCell.reason).toContain(`"tessera/${app}/${app}-tls-files"`);
        expect(cell.secrets.find((s) => s.name === `${app}-db-creds`)!.state).toBe('in-sync');
        // Provisioning again restores it.
        expect((await kube.provision({ app }))[0]).toMatchObject({ ok: true });
        expect(mounts(await get())).toEqual(['/etc/tls2']);
        expect((await kube.scan([one.contexts.admin])).cells.find((c) => c.app === app)!.state).toBe('in-sync');
      });

      it("removing the env secret alone leaves the volume wiring, and the workload's own env", async () => {
        const out = await kube.deprovisionSecret(one.contexts.admin, db(`${app}-db2`, []));
        expect(out).toMatchObject({ action: 'deleted', wiring: 'removed' });
        const t = await get();
        expect(envNames(t)).toEqual(['OWN']);
        expect(volumes(t)).toEqual([`tessera-${app}-tls-files`]);
        expect(mounts(t)).toEqual(['/etc/tls2']);
        expect(t.metadata.annotations[`version.tessera.dev/${app}-db-creds`]).toBeUndefined();
        expect(t.metadata.annotations[`version.tessera.dev/${app}-tls-files`]).toBe(`${app}-tls2`);
      });

      it('removing the volume secret alone leaves the env wiring', async () => {
        publish([db(`${app}-db2`, ['DB_PASSWORD', 'DB_URL']), { ...tls(`${app}-tls2`), mountPath: '/etc/tls2' }]);
        expect((await kube.provision({ app }))[0]).toMatchObject({ ok: true });
        const out = await kube.deprovisionSecret(one.contexts.admin, tls(`${app}-tls2`));
        expect(out).toMatchObject({ action: 'deleted', wiring: 'removed' });
        const t = await get();
        expect(volumes(t)).toEqual([]);
        expect(mounts(t)).toEqual([]);
        expect(envNames(t)).toEqual(['OWN', 'DB_PASSWORD', 'DB_URL']);
      });
    });
  }

  it('two secrets claiming one env name is a conflict naming the other secret, even with overwrite', async () => {
    const app = 'clash';
    await api(one, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, WORKLOADS[0].object('clash'));
    vals.set('clash-a', values('clash-a', { TOKEN: 'a' }));
    vals.set('clash-b', values('clash-b', { TOKEN: 'b' }));
    const workload = { kind: 'Deployment', name: 'clash' };
    pubs.push(
      publication(
        app,
        [one.contexts.admin],
        [
          spec(app, { name: 'clash-a', namespace: NS, versionId: 'clash-a', keys: ['TOKEN'], workload }),
          spec(app, { name: 'clash-b', namespace: NS, versionId: 'clash-b', keys: ['TOKEN'], workload }),
        ],
      ),
    );
    const out = await kube.provision({ app, overwrite: true });
    expect(out[0]!.ok).toBe(false);
    expect(out[0]!.error).toMatchObject({ code: 'CONFLICT' });
    expect(out[0]!.error!.message).toContain('"tessera/clash/clash-a"');
    expect(out[0]!.error!.message).toContain('Two secrets wire the same field');
  });
});
