// The Kubernetes behaviours Tessera relies on, as ONE suite run against every target:
// the fleet simulator always, a real kube-apiserver + etcd when its binaries exist.
// Tests compare structural facts (codes, reasons, owned fields), never exact bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from './client.ts';
import { realTarget, realTargetSkipReason, simulatorTarget } from './targets.ts';
import type { ContractTarget } from './targets.ts';

const realSkip = realTargetSkipReason();
if (realSkip) console.log(`contract: real control plane target skipped: ${realSkip}`);

const TARGETS: { name: string; start: () => Promise<ContractTarget>; skip?: string }[] = [
  { name: 'simulator', start: simulatorTarget },
  { name: 'real control plane', start: realTarget, skip: realSkip },
];

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

interface MF {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
}

function entries(obj: any): MF[] {
  return (obj?.metadata?.managedFields ?? []) as MF[];
}
function entry(obj: any, manager: string, operation: 'Apply' | 'Update'): MF | undefined {
  return entries(obj).find((e) => e.manager === manager && e.operation === operation);
}
/** Walk a FieldsV1 tree: has(fv, 'f:data', 'f:k1') */
function has(fv: Record<string, any> | undefined, ...path: string[]): boolean {
  let cur: any = fv;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !(p in cur)) return false;
    cur = cur[p];
  }
  return true;
}

function expectStatus(res: { status: number; body: any }, code: number, reason: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(code);
  expect(res.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
  expect(typeof res.body.message).toBe('string');
  expect(res.body.metadata).toEqual({});
}

function secret(ns: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}, annotations?: Record<string, string>): any {
  const s: any = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
  if (annotations) s.metadata.annotations = annotations;
  return s;
}

const managed = { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'billing' };

for (const target of TARGETS) {
  describe.skipIf(target.skip !== undefined)(`kubernetes contract — ${target.name}`, () => {
    let t: ContractTarget;
    let api: KubeClient;
    const ns = `contract-${Math.random().toString(36).slice(2, 8)}`;
    const sp = (name = ''): string => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
    const dp = (name = ''): string => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;

    beforeAll(async () => {
      t = await target.start();
      api = t.admin;
      console.log(`contract: target ${t.name}`);
      const r = await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'tessera-contract' });
      expect(r.status).toBe(201);
    }, 300_000);
    afterAll(async () => {
      await t?.stop();
    });

    describe('namespaces', () => {
      it('get/list/create behave like the apiserver', async () => {
        const g = await api.get(`/api/v1/namespaces/${ns}`);
        expect(g.status).toBe(200);
        expect(g.body).toMatchObject({
          kind: 'Namespace',
          apiVersion: 'v1',
          metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
          status: { phase: 'Active' },
        });
        expect(g.body.spec.finalizers).toEqual(['kubernetes']);
        const l = await api.get('/api/v1/namespaces');
        expect(l.body.kind).toBe('NamespaceList');
        const names = l.body.items.map((i: any) => i.metadata.name);
        expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', ns]));
        expect(l.body.items[0].kind).toBeUndefined();
        expectStatus(await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 409, 'AlreadyExists');
        const bad = await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_NS' } });
        expectStatus(bad, 422, 'Invalid');
        expect(bad.body.details.causes[0].field).toBe('metadata.name');
        expectStatus(await api.get('/api/v1/namespaces/does-not-exist-x'), 404, 'NotFound');
      });
    });

    describe('server-side apply of Secrets', () => {
      it('creates, updates, keeps resourceVersion on a no-op and prunes dropped keys', async () => {
        const s1 = secret(ns, 'app-db', { user: 'u', password: 'p1' }, managed, { 'tessera.dev/version': 'v1' });
        const c = await api.apply(sp('app-db'), s1, 'tessera');
        expect(c.status).toBe(201);
        const m = c.body.metadata;
        expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
        expect(m.resourceVersion).toMatch(/^\d+$/);
        expect(m.creationTimestamp).toMatch(RFC3339);
        expect(m.generation).toBeUndefined();
        expect(c.body.type).toBe('Opaque');
        expect(c.body.kind).toBe('Secret');
        const noop = await api.apply(sp('app-db'), s1, 'tessera');
        expect(noop.status).toBe(200);
        expect(noop.body.metadata.resourceVersion).toBe(m.resourceVersion);
        expect(noop.body.metadata.managedFields).toEqual(m.managedFields);
        const s2 = secret(ns, 'app-db', { user: 'u', password: 'p2', extra: 'e' }, managed, { 'tessera.dev/version': 'v2' });
        const u = await api.apply(sp('app-db'), s2, 'tessera');
        expect(u.status).toBe(200);
        expect(u.body.metadata.uid).toBe(m.uid);
        expect(Number(u.body.metadata.resourceVersion)).toBeGreaterThan(Number(m.resourceVersion));
        expect(u.body.data).toEqual({ user: b64('u'), password: b64('p2'), extra: b64('e') });
        const s3 = secret(ns, 'app-db', { user: 'u', password: 'p2' }, managed, { 'tessera.dev/version': 'v3' });
        const pr = await api.apply(sp('app-db'), s3, 'tessera');
        expect(Object.keys(pr.body.data).sort()).toEqual(['password', 'user']);
      });

      it('records managedFields for apply (tessera) and edits by other managers', async () => {
        const s = secret(ns, 'mf', { a: '1', b: '2' }, managed);
        const c = await api.apply(sp('mf'), s, 'tessera');
        expect(c.status).toBe(201);
        expect(entries(c.body)).toHaveLength(1);
        const e = entry(c.body, 'tessera', 'Apply')!;
        expect(e).toMatchObject({ manager: 'tessera', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
        expect(e.time).toMatch(RFC3339);
        expect(e.fieldsV1).toEqual({
          'f:data': { 'f:a': {}, 'f:b': {} },
          'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {}, 'f:tessera.dev/app': {} } },
        });

        // kubectl edit sends a merge patch with fieldManager=kubectl-edit
        const ed = await api.patch(sp('mf'), { data: { a: b64('edited') } }, 'merge', 'kubectl-edit');
        expect(ed.status).toBe(200);
        const ke = entry(ed.body, 'kubectl-edit', 'Update')!;
        expect(ke).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1' });
        expect(ke.fieldsV1).toEqual({ 'f:data': { 'f:a': {} } });
        expect(has(entry(ed.body, 'tessera', 'Apply')?.fieldsV1, 'f:data', 'f:a')).toBe(false);
        expect(has(entry(ed.body, 'tessera', 'Apply')?.fieldsV1, 'f:data', 'f:b')).toBe(true);

        // kubectl patch (strategic merge) adding a label
        const kp = await api.patch(sp('mf'), { metadata: { labels: { team: 'x' } } }, 'strategic', 'kubectl-patch');
        expect(kp.status).toBe(200);
        expect(entry(kp.body, 'kubectl-patch', 'Update')!.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:team': {} } } });

        // update (PUT) by kubectl-replace changing one key
        const cur = kp.body;
        cur.data.b = b64('replaced');
        const put = await api.put(sp('mf'), cur, { fieldManager: 'kubectl-replace' });
        expect(put.status).toBe(200);
        expect(entry(put.body, 'kubectl-replace', 'Update')!.fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });

        // a no-op update leaves managedFields and resourceVersion alone
        const again = await api.put(sp('mf'), put.body, { fieldManager: 'someone-else' });
        expect(again.body.metadata.resourceVersion).toBe(put.body.metadata.resourceVersion);
        expect(entry(again.body, 'someone-else', 'Update')).toBeUndefined();

        // the managedFields list is ordered Apply first, then by time
        expect(entries(put.body)[0]?.operation).toBe('Apply');
      });

      it('create (POST) records an Update entry owning the map and type', async () => {
        const r = await api.post(sp(), secret(ns, 'created', { x: '1' }), { fieldManager: 'kubectl-create' });
        expect(r.status).toBe(201);
        const e = entry(r.body, 'kubectl-create', 'Update')!;
        expect(e.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:x': {} }, 'f:type': {} });
        expect(r.body.type).toBe('Opaque');
      });

      it('apply conflicts with another manager → 409 with causes; force takes ownership', async () => {
        await api.apply(sp('cf'), secret(ns, 'cf', { a: '1' }, managed), 'tessera');
        await api.patch(sp('cf'), { data: { a: b64('hand-edited') } }, 'merge', 'kubectl-edit');
        const r = await api.apply(sp('cf'), secret(ns, 'cf', { a: '2' }, managed), 'tessera');
        expectStatus(r, 409, 'Conflict');
        expect(r.body.message).toContain('Apply failed with 1 conflict');
        expect(r.body.message).toContain('kubectl-edit');
        expect(r.body.details.causes).toEqual([
          { reason: 'FieldManagerConflict', message: expect.stringContaining('conflict with "kubectl-edit"'), field: '.data.a' },
        ]);
        // same value as the other manager: no conflict, ownership is shared
        const same = await api.apply(sp('cf'), secret(ns, 'cf', { a: 'hand-edited' }, managed), 'tessera');
        expect(same.status).toBe(200);
        expect(has(entry(same.body, 'tessera', 'Apply')?.fieldsV1, 'f:data', 'f:a')).toBe(true);
        expect(has(entry(same.body, 'kubectl-edit', 'Update')?.fieldsV1, 'f:data', 'f:a')).toBe(true);
        await api.patch(sp('cf'), { data: { a: b64('again') } }, 'merge', 'kubectl-edit');
        const f = await api.apply(sp('cf'), secret(ns, 'cf', { a: '3' }, managed), 'tessera', true);
        expect(f.status).toBe(200);
        expect(f.body.data.a).toBe(b64('3'));
        expect(entry(f.body, 'kubectl-edit', 'Update')).toBeUndefined();
      });

      it('apply requires a fieldManager and matching name', async () => {
        const r = await api.request('PATCH', sp('nofm'), { body: secret(ns, 'nofm', { a: '1' }), contentType: 'application/apply-patch+yaml' });
        expectStatus(r, 422, 'Invalid');
        const mismatch = await api.apply(sp('one'), secret(ns, 'other', { a: '1' }), 'tessera');
        expectStatus(mismatch, 400, 'BadRequest');
      });
    });

    describe('lists', () => {
      beforeAll(async () => {
        const mk = (name: string, labels: Record<string, string>): Promise<unknown> => api.post(sp(), secret(ns, name, { v: name }, labels));
        await mk('sel-a', { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'a', tier: 'gold' });
        await mk('sel-b', { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'b' });
        await mk('sel-c', { 'app.kubernetes.io/managed-by': 'helm', 'tessera.dev/app': 'c' });
        await mk('sel-d', { tier: 'silver' });
      });
      const names = (r: any): string[] => r.body.items.map((i: any) => i.metadata.name).filter((n: string) => n.startsWith('sel-'));
      const sel = async (s: string): Promise<string[]> => {
        const r = await api.get(sp(), { query: { labelSelector: s } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return names(r);
      };

      it('label selectors: =, ==, !=, in, notin, exists, !exists, and combinations', async () => {
        expect(await sel('app.kubernetes.io/managed-by=tessera')).toEqual(['sel-a', 'sel-b']);
        expect(await sel('app.kubernetes.io/managed-by==tessera')).toEqual(['sel-a', 'sel-b']);
        expect(await sel('app.kubernetes.io/managed-by!=tessera')).toEqual(['sel-c', 'sel-d']);
        expect(await sel('tessera.dev/app in (a,c)')).toEqual(['sel-a', 'sel-c']);
        expect(await sel('tessera.dev/app notin (a,c)')).toEqual(['sel-b', 'sel-d']);
        expect(await sel('tier')).toEqual(['sel-a', 'sel-d']);
        expect(await sel('!tier')).toEqual(['sel-b', 'sel-c']);
        expect(await sel('app.kubernetes.io/managed-by=tessera,tier')).toEqual(['sel-a']);
        expect(await sel('app.kubernetes.io/managed-by=tessera, tessera.dev/app in (b)')).toEqual(['sel-b']);
      });

      it('list shape, cluster-wide list and a bad selector', async () => {
        const r = await api.get(sp());
        expect(r.body).toMatchObject({ kind: 'SecretList', apiVersion: 'v1' });
        expect(r.body.metadata.resourceVersion).toMatch(/^\d+$/);
        expect(r.body.items[0].kind).toBeUndefined();
        const all = await api.get('/api/v1/secrets', { query: { labelSelector: 'tessera.dev/app in (a,b)' } });
        expect(all.status).toBe(200);
        expect(all.body.items.filter((i: any) => i.metadata.namespace === ns).map((i: any) => i.metadata.name)).toEqual(['sel-a', 'sel-b']);
        expectStatus(await api.get(sp(), { query: { labelSelector: 'a in (b' } }), 400, 'BadRequest');
      });

      it('metadata-only lists carry no data', async () => {
        const r = await api.get(sp(), { accept: METADATA_LIST, query: { labelSelector: 'app.kubernetes.io/managed-by=tessera' } });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
        expect(r.body.metadata.resourceVersion).toMatch(/^\d+$/);
        expect(names(r)).toEqual(['sel-a', 'sel-b']);
        for (const item of r.body.items) {
          expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
          expect(item).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' });
          expect(item.metadata.uid).toBeTruthy();
          expect(item.metadata.managedFields.length).toBeGreaterThan(0);
        }
        expect(r.raw).not.toContain(b64('sel-a'));
        const cw = await api.get('/api/v1/secrets', { accept: METADATA_LIST, query: { labelSelector: 'app.kubernetes.io/managed-by=tessera' } });
        expect(cw.body.kind).toBe('PartialObjectMetadataList');
        expect(cw.raw).not.toContain('"data"');
      });
    });

    describe('delete with a uid precondition', () => {
      it('wrong uid → 409, right uid → deleted, then 404', async () => {
        const c = await api.post(sp(), secret(ns, 'del', { a: '1' }, managed));
        const uid = c.body.metadata.uid;
        const wrong = await api.delete(sp('del'), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } });
        expectStatus(wrong, 409, 'Conflict');
        // 1.35: 'the UID in the precondition (x) does not match the UID in record (y)'
        expect(wrong.body.message).toMatch(/UID in (the )?precondition/);
        expect(wrong.body.message).toContain(uid);
        expect(['Secret', 'secrets']).toContain(wrong.body.details.kind);
        expect((await api.get(sp('del'))).status).toBe(200);
        const ok = await api.delete(sp('del'), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } });
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del', kind: 'secrets', uid } });
        const gone = await api.get(sp('del'));
        expectStatus(gone, 404, 'NotFound');
        expect(gone.body.details).toEqual({ name: 'del', kind: 'secrets' });
        expect(gone.body.message).toBe('secrets "del" not found');
        expectStatus(await api.delete(sp('del'), { preconditions: { uid } }), 404, 'NotFound');
      });
    });

    describe('errors are Status objects', () => {
      it('409 AlreadyExists, stale resourceVersion, 404 namespace', async () => {
        await api.post(sp(), secret(ns, 'dup', { a: '1' }));
        const d = await api.post(sp(), secret(ns, 'dup', { a: '1' }));
        expectStatus(d, 409, 'AlreadyExists');
        expect(d.body.details).toEqual({ name: 'dup', kind: 'secrets' });
        const cur = (await api.get(sp('dup'))).body;
        await api.patch(sp('dup'), { data: { a: b64('2') } }, 'merge', 'x');
        const stale = await api.put(sp('dup'), cur);
        expectStatus(stale, 409, 'Conflict');
        expect(stale.body.message).toContain('the object has been modified');
        const nons = await api.post('/api/v1/namespaces/no-such-ns-x/secrets', secret('no-such-ns-x', 's', { a: '1' }));
        expectStatus(nons, 404, 'NotFound');
        expect(nons.body.details).toEqual({ name: 'no-such-ns-x', kind: 'namespaces' });
        expectStatus(await api.patch(sp('missing'), { data: {} }, 'merge', 'x'), 404, 'NotFound');
      });

      it('403 Forbidden for users without RBAC, SelfSubjectAccessReview agrees', async () => {
        const l = await t.limited.get('/api/v1/secrets');
        expectStatus(l, 403, 'Forbidden');
        expect(l.body.details).toEqual({ kind: 'secrets' });
        expect(l.body.message).toContain('cannot list resource "secrets" in API group "" at the cluster scope');
        const ok = await t.limited.get(`/api/v1/namespaces/${t.limitedNamespace}/secrets`, { accept: METADATA_LIST });
        expect(ok.status).toBe(200);
        const v = await t.viewer.get(`/api/v1/namespaces/${ns}/secrets/anything`);
        expectStatus(v, 403, 'Forbidden');
        expect(v.body.details).toEqual({ name: 'anything', kind: 'secrets' });
        expect(v.body.message).toContain(`in the namespace "${ns}"`);
        const ssar = (client: KubeClient, namespace?: string): Promise<any> =>
          client.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb: 'list', resource: 'secrets', ...(namespace ? { namespace } : {}) } },
          });
        const a = await ssar(t.limited);
        expect(a.status).toBe(201);
        expect(a.body).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: false } });
        expect((await ssar(t.limited, t.limitedNamespace)).body.status.allowed).toBe(true);
        expect((await ssar(api)).body.status.allowed).toBe(true);
        expect((await ssar(t.viewer, ns)).body.status.allowed).toBe(false);
      });

      it('422 for invalid names and data keys', async () => {
        const bad = await api.post(sp(), secret(ns, 'Bad_Name', { a: '1' }));
        expectStatus(bad, 422, 'Invalid');
        expect(bad.body.details).toMatchObject({ name: 'Bad_Name', kind: 'Secret' });
        expect(bad.body.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' })]);
        for (const key of ['bad key', 'a/b', 'ünï', '..', '.']) {
          const r = await api.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'badkey' }, data: { [key]: b64('x') } });
          expectStatus(r, 422, 'Invalid');
          expect(r.body.details.causes.map((c: any) => c.field)).toEqual([`data[${key}]`]);
        }
        const applied = await api.apply(
          sp('badkey2'),
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'badkey2' }, data: { 'has space': b64('x') } },
          'tessera',
        );
        expectStatus(applied, 422, 'Invalid');
        const good = await api.post(sp(), {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'goodkeys' },
          data: { 'a.b-c_D9': b64('x'), '.dotfile': b64('y') },
        });
        expect(good.status).toBe(201);
        const notB64 = await api.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'notb64' }, data: { a: '!!!' } });
        expectStatus(notB64, 400, 'BadRequest');
      });

      it('the 1 MiB total data limit', async () => {
        const half = 'x'.repeat(512 * 1024);
        const exact = await api.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big-ok' }, data: { a: b64(half), b: b64(half) } });
        expect(exact.status, JSON.stringify(exact.body).slice(0, 300)).toBe(201);
        const over = await api.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big-no' }, data: { a: b64(half), b: b64(`${half}y`) } });
        expectStatus(over, 422, 'Invalid');
        expect(over.body.details.causes).toEqual([expect.objectContaining({ reason: 'FieldValueTooLong', field: 'data' })]);
        expect(over.body.message).toContain('1048576');
        const overApply = await api.apply(sp('big-ok'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big-ok' }, data: { c: b64('z') } }, 'tessera');
        expectStatus(overApply, 422, 'Invalid');
      });
    });

    describe('Deployment wiring', () => {
      const base = (): any => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                { name: 'app', image: 'nginx:1.27', env: [{ name: 'LOG_LEVEL', value: 'info' }], volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
                { name: 'sidecar', image: 'busybox:1.36' },
              ],
              volumes: [{ name: 'cache', emptyDir: {} }],
            },
          },
        },
      });
      const wiring = (version: string, withEnv = true): any => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          template: {
            metadata: { annotations: { 'tessera.dev/version': version } },
            spec: {
              containers: [
                {
                  name: 'app',
                  ...(withEnv ? { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-db', key: 'password' } } }] } : {}),
                  volumeMounts: [{ name: 'tessera-app-db', mountPath: '/etc/tessera/app-db', readOnly: true }],
                },
              ],
              volumes: [{ name: 'tessera-app-db', secret: { secretName: 'app-db' } }],
            },
          },
        },
      });
      const fv = (obj: any): any => entry(obj, 'tessera', 'Apply')?.fieldsV1;
      const podPath = ['f:spec', 'f:template', 'f:spec'];

      it('create, get, and apply of env (by name), volumes (by name), mounts (by mountPath), annotation', async () => {
        const c = await api.post(dp(), base(), { fieldManager: 'kubectl-create' });
        expect(c.status, JSON.stringify(c.body).slice(0, 400)).toBe(201);
        expect(c.body.metadata.generation).toBe(1);
        expect(c.body.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
        const cfv = entry(c.body, 'kubectl-create', 'Update')!.fieldsV1;
        expect(has(cfv, ...podPath, 'f:containers', 'k:{"name":"app"}', '.')).toBe(true);
        expect(has(cfv, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:env', 'k:{"name":"LOG_LEVEL"}', 'f:value')).toBe(true);
        expect(has(cfv, 'f:spec', 'f:selector')).toBe(true);
        expect((await api.get(dp('web'))).body.kind).toBe('Deployment');
        expectStatus(await api.get(dp('nope')), 404, 'NotFound');

        const a = await api.apply(dp('web'), wiring('v1'), 'tessera');
        expect(a.status, JSON.stringify(a.body).slice(0, 400)).toBe(200);
        const spec = a.body.spec.template.spec;
        const app = spec.containers.find((x: any) => x.name === 'app');
        expect(app.image).toBe('nginx:1.27');
        expect(app.env.map((e: any) => e.name).sort()).toEqual(['DB_PASSWORD', 'LOG_LEVEL']);
        expect(app.env.find((e: any) => e.name === 'DB_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'app-db', key: 'password' });
        expect(app.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/cache', '/etc/tessera/app-db']);
        expect(spec.volumes.map((v: any) => v.name).sort()).toEqual(['cache', 'tessera-app-db']);
        expect(spec.volumes.find((v: any) => v.name === 'tessera-app-db').secret).toEqual({ secretName: 'app-db', defaultMode: 420 });
        expect(spec.containers.map((x: any) => x.name)).toEqual(['app', 'sidecar']);
        expect(a.body.spec.template.metadata.annotations['tessera.dev/version']).toBe('v1');
        expect(a.body.metadata.generation).toBe(2);
        const f = fv(a.body);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', '.')).toBe(true);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:name')).toBe(true);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:env', 'k:{"name":"DB_PASSWORD"}', '.')).toBe(true);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:env', 'k:{"name":"DB_PASSWORD"}', 'f:valueFrom', 'f:secretKeyRef')).toBe(true);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:env', 'k:{"name":"LOG_LEVEL"}')).toBe(false);
        expect(has(f, ...podPath, 'f:containers', 'k:{"name":"app"}', 'f:volumeMounts', 'k:{"mountPath":"/etc/tessera/app-db"}', 'f:readOnly')).toBe(true);
        expect(has(f, ...podPath, 'f:volumes', 'k:{"name":"tessera-app-db"}', 'f:secret', 'f:secretName')).toBe(true);
        expect(has(f, ...podPath, 'f:volumes', 'k:{"name":"tessera-app-db"}', 'f:secret', 'f:defaultMode')).toBe(false);
        expect(has(f, 'f:spec', 'f:template', 'f:metadata', 'f:annotations', 'f:tessera.dev/version')).toBe(true);
        expect(has(f, 'f:spec', 'f:replicas')).toBe(false);

        const same = await api.apply(dp('web'), wiring('v1'), 'tessera');
        expect(same.body.metadata.resourceVersion).toBe(a.body.metadata.resourceVersion);
        expect(same.body.metadata.generation).toBe(2);
        const v2 = await api.apply(dp('web'), wiring('v2'), 'tessera');
        expect(v2.body.metadata.generation).toBe(3);
        expect(v2.body.spec.template.metadata.annotations['tessera.dev/version']).toBe('v2');
      });

      it('apply conflicts on the pod-template annotation; unwiring removes only what tessera owned', async () => {
        const e = await api.patch(
          dp('web'),
          { spec: { template: { metadata: { annotations: { 'tessera.dev/version': 'hand' } } } } },
          'strategic',
          'kubectl-edit',
        );
        expect(e.status).toBe(200);
        const c = await api.apply(dp('web'), wiring('v3'), 'tessera');
        expectStatus(c, 409, 'Conflict');
        expect(c.body.details.causes).toEqual([
          {
            reason: 'FieldManagerConflict',
            message: expect.stringContaining('"kubectl-edit"'),
            field: '.spec.template.metadata.annotations.tessera.dev/version',
          },
        ]);
        const f = await api.apply(dp('web'), wiring('v3'), 'tessera', true);
        expect(f.status).toBe(200);
        expect(f.body.spec.template.metadata.annotations['tessera.dev/version']).toBe('v3');
        const un = await api.apply(dp('web'), wiring('v4', false), 'tessera');
        expect(un.status).toBe(200);
        const app = un.body.spec.template.spec.containers.find((x: any) => x.name === 'app');
        expect(app.env.map((x: any) => x.name)).toEqual(['LOG_LEVEL']);
        expect(app.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/cache', '/etc/tessera/app-db']);
      });

      it('strategic merge patch merges env by name; a mount without a volume is 422', async () => {
        const p = await api.patch(
          dp('web'),
          { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'EXTRA', value: '1' }] }] } } } },
          'strategic',
          'kubectl-patch',
        );
        expect(p.status).toBe(200);
        const app = p.body.spec.template.spec.containers.find((x: any) => x.name === 'app');
        // without $setElementOrder the apiserver puts patch-only items before server items
        expect(app.env.map((x: any) => x.name)).toEqual(['EXTRA', 'LOG_LEVEL']);
        // patching an existing item keeps the server order (sidecar stays second)
        const side = await api.patch(
          dp('web'),
          { spec: { template: { spec: { containers: [{ name: 'sidecar', env: [{ name: 'S', value: '1' }] }] } } } },
          'strategic',
          'kubectl-patch',
        );
        expect(side.body.spec.template.spec.containers.map((x: any) => x.name)).toEqual(['app', 'sidecar']);
        // kubectl sends $setElementOrder to keep its own order
        const ord = await api.patch(
          dp('web'),
          { spec: { template: { spec: { containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'LOG_LEVEL' }, { name: 'EXTRA' }] }] } } } },
          'strategic',
          'kubectl-edit',
        );
        expect(ord.body.spec.template.spec.containers[0].env.map((x: any) => x.name)).toEqual(['LOG_LEVEL', 'EXTRA']);
        const bad = await api.apply(
          dp('web'),
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web' },
            spec: { template: { spec: { containers: [{ name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/nope' }] }] } } },
          },
          'other',
        );
        expectStatus(bad, 422, 'Invalid');
        expect(bad.body.details.causes.map((x: any) => x.field)).toContain('spec.template.spec.containers[0].volumeMounts[2].name');
      });

      it('limited user may get/patch deployments in its namespace only', async () => {
        expectStatus(await t.limited.get(dp('web')), 403, 'Forbidden');
        expect((await t.limited.get(`/apis/apps/v1/namespaces/${t.limitedNamespace}/deployments/none`)).status).toBe(404);
      });
    });
  });
}
