// A write whose answer is lost (a timeout, a crash between the write and its record) still leaves
// the Secret Tessera's own: the write id recorded in the store before the write, and carried in
// the annotation tessera.dev/write-id, recognises it on the retry and in a scan. A hand-made
// Secret with Tessera's label — even with a write id copied from Tessera's own Secret — is not.
// Against the fleet simulator's API server, with the store on real SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog, type AppPublication, type SecretValues } from '../../../electron/core/kube/types.ts';
import { sqliteOwnership, type SecretOwnership } from '../../../electron/core/kube/ownership.ts';
import { deprovisionSecret, provisionVersion } from '../../../electron/core/kube/provision.ts';
import type { KubeClient } from '../../../electron/core/kube/http-client.ts';
import { openDatabase, type Database } from '../../../electron/core/store/index.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import { publication, spec, values } from './support.ts';

/** The client, except that the answer to every Secret write is lost after the server applied it. */
function losingWriteAnswers(client: KubeClient): KubeClient {
  return {
    ...client,
    async request(req) {
      const res = await client.request(req);
      if (req.method === 'PATCH' && req.path.includes('/secrets/')) {
        res.body.fill(0);
        throw new TesseraError('TIMEOUT', `Cluster "${client.cluster}" did not answer ${req.method} ${req.path} within the request timeout (1 attempts).`);
      }
      return res;
    },
  };
}

describe('write intents: a lost answer is recognised, a copied label is not', () => {
  let fleet: Fleet;
  let kube: KubeService;
  let db: Database;
  let dir: string;
  let ownership: SecretOwnership;
  let ctx: string;
  const pubs: AppPublication[] = [];
  const vals = new Map<string, SecretValues>();

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 1, latency: { fixedMs: 1, jitterMs: 1 } });
    ctx = fleet.context(0);
    dir = mkdtempSync(join(tmpdir(), 'tessera-write-intent-'));
    db = openDatabase(dir);
    ownership = sqliteOwnership(db);
    kube = createKubeService({
      sources: () => ({ kubeconfigEnv: fleet.kubeconfigPath }),
      limits: () => ({ concurrency: 8, requestTimeoutSeconds: 5 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog(pubs, vals),
      scans: memoryScanStore(),
      ownership,
    });
  }, 60_000);
  afterAll(async () => {
    kube?.close();
    db?.close();
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const live = (name: string) => fleet.clusterState(ctx).secrets.find((s: any) => s.metadata.name === name) as any;

  it('a write whose answer was lost is Tessera’s own on the retry: recorded by uid, applied again without a change', async () => {
    const s = spec('lost', { namespace: 'default', createNamespace: false, versionId: 'lv1', keys: ['A'] });
    const v = values('lv1', { A: 'alpha' });
    const client = kube.registry.client(ctx);
    await expect(provisionVersion(losingWriteAnswers(client), s, v, { ownership })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const written = live('lost-secret');
    expect(written.metadata.annotations['tessera.dev/write-id']).toMatch(/^[0-9a-f]{32}$/u);
    // The answer never came, so no uid was recorded; the intent was, before the write.
    expect(ownership.get(ctx, 'default', 'lost-secret')).toBeNull();
    const retried = await provisionVersion(client, s, values('lv1', { A: 'alpha' }), { ownership });
    expect(retried.action).toBe('unchanged');
    expect(retried.uid).toBe(written.metadata.uid);
    expect(live('lost-secret').metadata.resourceVersion).toBe(written.metadata.resourceVersion);
    expect(ownership.get(ctx, 'default', 'lost-secret')).toMatchObject({ uid: written.metadata.uid, how: 'created', versionId: 'lv1', manager: 'tessera' });
  });

  it('a scan recognises a Secret whose write lost its answer as in sync, not as a claim', async () => {
    const s = spec('scanned', { namespace: 'default', createNamespace: false, versionId: 'sv1', keys: ['A'] });
    vals.set('sv1', values('sv1', { A: 'alpha' }));
    pubs.push(publication('scanned', [ctx], [s]));
    await expect(provisionVersion(losingWriteAnswers(kube.registry.client(ctx)), s, values('sv1', { A: 'alpha' }), { ownership })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const result = await kube.scan([ctx]);
    const cell = result.cells.find((c) => c.app === 'scanned');
    expect(cell?.state, cell?.reason ?? '').toBe('in-sync');
    expect(ownership.get(ctx, 'default', 'scanned-secret')?.uid).toBe(live('scanned-secret').metadata.uid);
  });

  it('a hand-made Secret with Tessera’s label and a copied write id is not Tessera’s: never changed, never deleted', async () => {
    const client = kube.registry.client(ctx);
    const copied = live('lost-secret').metadata.annotations['tessera.dev/write-id'] as string;
    // A pending intent at this place (its answer lost too), so only the write id decides.
    const s = spec('forged', { namespace: 'default', createNamespace: false, versionId: 'fv1', keys: ['A'] });
    await expect(provisionVersion(losingWriteAnswers(client), s, values('fv1', { A: 'tessera' }), { ownership })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const del = await client.request({ method: 'DELETE', path: '/api/v1/namespaces/default/secrets/forged-secret' });
    expect(del.status).toBe(200);
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'forged-secret',
        namespace: 'default',
        labels: { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'forged' },
        annotations: { 'tessera.dev/write-id': copied, 'tessera.dev/version-id': 'fv1' },
      },
      data: { A: Buffer.from('hand-made').toString('base64') },
    };
    const made = await client.request({
      method: 'POST',
      path: '/api/v1/namespaces/default/secrets',
      query: { fieldManager: 'kubectl-create' },
      body: Buffer.from(JSON.stringify(body)),
    });
    expect(made.status).toBe(201);
    await expect(provisionVersion(client, s, values('fv1', { A: 'tessera' }), { ownership })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/claims to be Tessera's/u),
    });
    await expect(deprovisionSecret(client, s, { ownership })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(Buffer.from(live('forged-secret').data.A, 'base64').toString()).toBe('hand-made');
    expect(ownership.get(ctx, 'default', 'forged-secret')).toBeNull();
  });
});
