// The kube commands of the `tessera` CLI against the fleet simulator: clusters, labels (kept in
// the store), scan as JSON, and provision/deprovision refusing what they cannot do (exit 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../electron/cli/main.ts';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createKubeService } from '../../../electron/core/kube/kube-service.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog } from '../../../electron/core/kube/types.ts';
import { sqliteOwnership } from '../../../electron/core/kube/ownership.ts';
import { openDatabase } from '../../../electron/core/store/index.ts';
import { publication, spec, values } from './support.ts';

describe('tessera clusters, cluster label, scan, provision, deprovision', () => {
  let fleet: Fleet;
  let dataDir: string;
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--data-dir', dataDir, '--kubeconfig', fleet.kubeconfigPath], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { HOME: dataDir },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 3 });
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-kube-cli-'));
    // A Secret Tessera wrote for an app the (empty) vault does not publish: the scan shows it orphaned.
    const s = spec('legacy', { namespace: 'default', createNamespace: false });
    const db = openDatabase(dataDir);
    const kube = createKubeService({
      sources: () => ({ kubeconfigEnv: fleet.kubeconfigPath }),
      limits: () => ({ concurrency: 4, requestTimeoutSeconds: 5 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog([publication('legacy', [fleet.contexts[0]!], [s])], new Map([['v1', values('v1', { API_KEY: 'a', DB_PASSWORD: 'b' })]])),
      scans: memoryScanStore(),
      // Recorded in the CLI's own store, as Tessera records every Secret it creates.
      ownership: sqliteOwnership(db),
    });
    expect((await kube.provision({ app: 'legacy' }))[0]).toMatchObject({ ok: true });
    kube.close();
    db.close();
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every context as a cluster', async () => {
    const r = await run('clusters', '--json');
    expect(r.code).toBe(0);
    const clusters = JSON.parse(r.out) as { name: string; auth: string; labels: object }[];
    expect(clusters.map((c) => c.name)).toEqual(fleet.contexts);
    expect(clusters[0]).toMatchObject({ auth: 'token', labels: {} });
  });

  it('sets and removes labels, kept in the store across runs', async () => {
    expect((await run('cluster', 'label', fleet.contexts[0]!, 'env=prod', 'region=eu')).code).toBe(0);
    expect((await run('cluster', 'label', fleet.contexts[0]!, 'region-')).code).toBe(0);
    const clusters = JSON.parse((await run('clusters', '--json')).out) as { name: string; labels: object }[];
    expect(clusters[0]!.labels).toEqual({ env: 'prod' });
    expect((await run('cluster', 'label', 'no-such-context', 'a=b')).code).toBe(1);
  });

  it('prints the matrix as JSON: apps, clusters, cells with states and reasons', async () => {
    const r = await run('scan', '--json');
    expect(r.code).toBe(0);
    const matrix = JSON.parse(r.out) as { apps: string[]; clusters: string[]; cells: { app: string; cluster: string; state: string; reason: string }[] };
    expect(matrix.apps).toEqual(['legacy']);
    expect(matrix.clusters).toEqual(fleet.contexts);
    expect(matrix.cells.map((c) => c.state)).toEqual(['orphaned', 'not-targeted', 'not-targeted']);
    expect(matrix.cells[0]!.reason).toContain('default/legacy-secret');
  });

  it('provision and deprovision exit non-zero when they cannot act', async () => {
    const p = await run('provision', '--app', 'nope', '--cluster', fleet.contexts[0]!);
    expect(p.code).toBe(1);
    expect(p.err).toContain('NOT_FOUND');
    const both = await run('provision', '--app', 'x', '--cluster', 'a', '--selector', 'env=prod');
    expect(both.code).toBe(1);
  });

  it('provision of an app with no targeting says so, exits 1 and records no publication', async () => {
    expect((await run('app', 'create', '--name', 'untargeted', '--namespace', 'default')).code).toBe(0);
    const p = await run('provision', '--app', 'untargeted', '--cluster', fleet.contexts[1]!);
    expect(p.code).toBe(1);
    expect(p.err).toContain('has no targeting');
    expect(p.err).toContain('Nothing was recorded');
    const shown = await run('app', 'show', '--name', 'untargeted', '--json');
    expect(JSON.parse(shown.out).publications).toEqual([]);
    expect((await run('provision', '--app', 'untargeted', '--cluster', fleet.contexts[1]!, '--for', 'soon')).err).toContain('--for must be a duration');
  });

  it('deprovisions an orphaned app by its label, per cluster', async () => {
    const r = await run('deprovision', '--app', 'legacy', '--cluster', fleet.contexts[0]!, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject([{ cluster: fleet.contexts[0], ok: true, secrets: [{ name: 'legacy-secret', action: 'deleted' }] }]);
  });

  it('a scan says which clusters it could not reach, even when no app is published anywhere', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tessera-kube-cli-empty-'));
    try {
      const kubeconfig = join(empty, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: gone, context: {cluster: gone, user: u}}]',
          'current-context: gone',
        ].join('\n'),
      );
      const out: string[] = [];
      const scan = (json: boolean) =>
        main(['scan', ...(json ? ['--json'] : []), '--data-dir', empty, '--kubeconfig', kubeconfig], {
          out: (t) => out.push(t),
          err: (t) => out.push(t),
          env: { HOME: empty },
        });
      expect(await scan(false)).toBe(1);
      const text = out.join('\n');
      expect(text).toMatch(/gone\s+unreachable/u);
      expect(text).not.toContain('No apps published and no managed Secrets found on 1 cluster(s)');
      expect(text).toContain('0 cluster(s) that could be listed; 1 could not be listed');
      out.length = 0;
      expect(await scan(true)).toBe(1);
      expect(JSON.parse(out.join('\n')).reachability).toEqual([{ cluster: 'gone', state: 'unreachable', reason: expect.any(String) }]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
