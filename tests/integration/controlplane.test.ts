// The real control plane (kube-apiserver + etcd, two clusters): readiness, RBAC users,
// isolation, and kubectl as a second, independent client.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { findControlPlaneAssets, startControlPlane } from '../controlplane/harness.ts';
import type { ControlPlane, RealCluster } from '../controlplane/harness.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : undefined;
if (skipReason) console.warn(`[controlplane.test] skipped: ${skipReason}`);

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const kubectlTitle = hasKubectl
  ? 'works with kubectl and the generated kubeconfig'
  : 'works with kubectl and the generated kubeconfig [skipped: kubectl is not on PATH]';
if (!hasKubectl && !skipReason) console.warn('[controlplane.test] kubectl test skipped: kubectl is not on PATH');

interface Res {
  status: number;
  /** Raw Kubernetes JSON. */
  json: any;
}

const names = (r: Res): string[] => (r.json.items as { metadata: { name: string } }[]).map((o) => o.metadata.name);

function callPatch(c: RealCluster, token: string, path: string, body: unknown): Promise<Res> {
  return call(c, token, 'PATCH', path, body, 'application/merge-patch+json');
}

function call(c: RealCluster, token: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Res> {
  const ca = readFileSync(c.caFile, 'utf8');
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, c.server),
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(data ? { 'content-type': contentType } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            // plain text, e.g. /readyz
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const secret = (name: string, ns: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns },
  type: 'Opaque',
  data: { value: Buffer.from(value).toString('base64') },
});

describe.skipIf(skipReason !== undefined)('real control plane (kube-apiserver + etcd)', () => {
  let cp: ControlPlane;
  let one: RealCluster;
  let two: RealCluster;

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 2 });
    [one, two] = cp.clusters as [RealCluster, RealCluster];
    const version = 'assets' in found ? found.assets.version : '?';
    console.info(`[controlplane.test] 2 clusters (${version}) ready in ${cp.startupMs} ms`);
  }, 180_000);

  afterAll(async () => {
    await cp?.stop();
  }, 60_000);

  it('serves /readyz and /version on both clusters', async () => {
    expect(cp.clusters.map((c) => c.name)).toEqual(['real-1', 'real-2']);
    for (const c of cp.clusters) {
      const ready = await call(c, c.tokens.admin, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(String(ready.json)).toBe('ok');
      const version = await call(c, c.tokens.admin, 'GET', '/version');
      expect(version.status).toBe(200);
      expect(version.json.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    }
    expect(one.server).not.toBe(two.server);
  });

  it('lets admin create, read and delete a Secret', async () => {
    const created = await call(one, one.tokens.admin, 'POST', '/api/v1/namespaces/default/secrets', secret('admin-s', 'default', 'hunter2'));
    expect(created.status).toBe(201);
    const got = await call(one, one.tokens.admin, 'GET', '/api/v1/namespaces/default/secrets/admin-s');
    expect(got.status).toBe(200);
    expect(Buffer.from(got.json.data.value, 'base64').toString()).toBe('hunter2');
    const del = await call(one, one.tokens.admin, 'DELETE', '/api/v1/namespaces/default/secrets/admin-s');
    expect(del.status).toBe(200);
    const gone = await call(one, one.tokens.admin, 'GET', '/api/v1/namespaces/default/secrets/admin-s');
    expect(gone.status).toBe(404);
  });

  it('lets admin create a Deployment (stored; nothing runs it)', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: one.limitedNamespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    };
    const r = await call(one, one.tokens.admin, 'POST', `/apis/apps/v1/namespaces/${one.limitedNamespace}/deployments`, dep);
    expect(r.status).toBe(201);
    // limited may get and patch deployments in its namespace
    const got = await call(one, one.tokens.limited, 'GET', `/apis/apps/v1/namespaces/${one.limitedNamespace}/deployments/web`);
    expect(got.status).toBe(200);
    const patchPath = `/apis/apps/v1/namespaces/${one.limitedNamespace}/deployments/web`;
    const patch = { spec: { template: { metadata: { annotations: { 'tessera/restartedAt': 'now' } } } } };
    const patched = await callPatch(one, one.tokens.limited, patchPath, patch);
    expect(patched.status).toBe(200);
    expect(patched.json.spec.template.metadata.annotations['tessera/restartedAt']).toBe('now');
    expect((await callPatch(one, one.tokens.viewer, patchPath, patch)).status).toBe(403);
    // viewer may list deployments everywhere
    const listed = await call(one, one.tokens.viewer, 'GET', '/apis/apps/v1/deployments');
    expect(listed.status).toBe(200);
    expect(names(listed)).toContain('web');
  });

  it('forbids the viewer from listing Secrets', async () => {
    for (const path of ['/api/v1/secrets', '/api/v1/namespaces/default/secrets', `/api/v1/namespaces/${one.limitedNamespace}/secrets`]) {
      const r = await call(one, one.tokens.viewer, 'GET', path);
      expect(r.status, path).toBe(403);
    }
    const ns = await call(one, one.tokens.viewer, 'GET', '/api/v1/namespaces');
    expect(ns.status).toBe(200);
    expect(names(ns)).toContain(one.limitedNamespace);
  });

  it('confines the limited user to its namespace', async () => {
    const ns = one.limitedNamespace;
    expect(ns).toBe('team-a');
    const outside = await call(one, one.tokens.limited, 'GET', '/api/v1/namespaces/default/secrets');
    expect(outside.status).toBe(403);
    const outsideCreate = await call(one, one.tokens.limited, 'POST', '/api/v1/namespaces/default/secrets', secret('nope', 'default', 'x'));
    expect(outsideCreate.status).toBe(403);
    const clusterWide = await call(one, one.tokens.limited, 'GET', '/api/v1/secrets');
    expect(clusterWide.status).toBe(403);

    const created = await call(one, one.tokens.limited, 'POST', `/api/v1/namespaces/${ns}/secrets`, secret('mine', ns, 'v1'));
    expect(created.status).toBe(201);
    const listed = await call(one, one.tokens.limited, 'GET', `/api/v1/namespaces/${ns}/secrets`);
    expect(listed.status).toBe(200);
    expect(names(listed)).toContain('mine');
    const del = await call(one, one.tokens.limited, 'DELETE', `/api/v1/namespaces/${ns}/secrets/mine`);
    expect(del.status).toBe(200);
  });

  it('keeps the two clusters isolated', async () => {
    const created = await call(one, one.tokens.admin, 'POST', '/api/v1/namespaces/default/secrets', secret('only-on-one', 'default', 'x'));
    expect(created.status).toBe(201);
    const onTwo = await call(two, two.tokens.admin, 'GET', '/api/v1/namespaces/default/secrets/only-on-one');
    expect(onTwo.status).toBe(404);
    // tokens and CAs are per cluster too
    const crossToken = await call(two, one.tokens.admin, 'GET', '/api/v1/namespaces');
    expect(crossToken.status).toBe(401);
    expect(readFileSync(one.caFile, 'utf8')).not.toBe(readFileSync(two.caFile, 'utf8'));
    await call(one, one.tokens.admin, 'DELETE', '/api/v1/namespaces/default/secrets/only-on-one');
  });

  it.skipIf(!hasKubectl)(kubectlTitle, () => {
    const kubectl = (...args: string[]) => spawnSync('kubectl', ['--kubeconfig', cp.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 30_000 });
    const ctx = two.contexts.limited; // namespace team-a is the context default
    const create = kubectl('--context', ctx, 'create', 'secret', 'generic', 'via-kubectl', '--from-literal=k=v');
    expect(create.stderr + create.stdout).toMatch(/created/);
    expect(create.status).toBe(0);
    const get = kubectl('--context', ctx, 'get', 'secret', 'via-kubectl', '-o', 'jsonpath={.data.k}');
    expect(get.status, get.stderr).toBe(0);
    expect(Buffer.from(get.stdout, 'base64').toString()).toBe('v');
    const denied = kubectl('--context', two.contexts.viewer, 'get', 'secrets', '-n', two.limitedNamespace);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/forbidden/i);
    const del = kubectl('--context', ctx, 'delete', 'secret', 'via-kubectl');
    expect(del.status, del.stderr).toBe(0);
    const gone = kubectl('--context', two.contexts.admin, 'get', 'secret', 'via-kubectl', '-n', two.limitedNamespace);
    expect(gone.status).not.toBe(0);
  });
});
