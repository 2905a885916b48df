// Authentication kinds and the registry's resilience: exec credential plugins (token, failure
// with the plugin's own stderr, timeout), OIDC through client-node, a broken context next to
// working ones, and the registry following kubeconfig file changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createKubeService, type KubeService } from '../../../electron/core/kube/kube-service.ts';
import { createEndpoint } from '../../../electron/core/kube/credentials.ts';
import { loadKubeconfig } from '../../../electron/core/kube/kubeconfig-files.ts';
import { memoryLabelStore } from '../../../electron/core/kube/registry.ts';
import { memoryScanStore } from '../../../electron/core/kube/scan-store.ts';
import { memoryCatalog } from '../../../electron/core/kube/types.ts';
import { publication, spec } from './support.ts';

describe('kube authentication and registry', () => {
  let fleet: Fleet;
  let dir: string;
  let kubeconfig: string;
  let kube: KubeService;
  const events: string[] = [];

  const user = (name: string, body: string[]) => [`- name: ${name}`, '  user:', ...body.map((l) => `    ${l}`)];
  const script = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${text}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 2 });
    dir = mkdtempSync(join(tmpdir(), 'tessera-kube-auth-'));
    const [a, b] = fleet.contexts as [string, string];
    const ok = script(
      'ok.sh',
      `cat <<JSON\n{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${fleet.token(a)}"}}\nJSON`,
    );
    const bad = script('bad.sh', 'echo "error: your session expired; run sso-login" >&2; exit 3');
    const slow = script('slow.sh', 'sleep 30');
    const cluster = (name: string, ctx: string) => [
      `- name: ${name}`,
      '  cluster:',
      `    server: ${fleet.server(ctx)}`,
      `    certificate-authority: ${fleet.caFile}`,
    ];
    const exec = (cmd: string) => ['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: ${cmd}`, '  interactiveMode: Never'];
    kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        ...cluster('a', a),
        ...cluster('b', b),
        'users:',
        ...user('exec-ok', exec(ok)),
        ...user('exec-bad', exec(bad)),
        ...user('exec-slow', exec(slow)),
        ...user('static', [`token: ${fleet.token(b)}`]),
        'contexts:',
        '- {name: via-exec, context: {cluster: a, user: exec-ok}}',
        '- {name: exec-fails, context: {cluster: a, user: exec-bad}}',
        '- {name: exec-hangs, context: {cluster: a, user: exec-slow}}',
        '- {name: broken, context: {cluster: nowhere, user: static}}',
        '- {name: static-b, context: {cluster: b, user: static}}',
        '',
      ].join('\n'),
    );
    const app = spec('auth-app', { namespace: 'default', createNamespace: false });
    kube = createKubeService({
      sources: () => ({ kubeconfigEnv: kubeconfig }),
      limits: () => ({ concurrency: 4, requestTimeoutSeconds: 5 }),
      labels: memoryLabelStore(),
      catalog: () => memoryCatalog([publication('auth-app', ['via-exec', 'exec-fails', 'exec-hangs', 'broken', 'static-b'], [app])]),
      scans: memoryScanStore(),
      execTimeoutMs: 700,
      events: { emit: (name: string) => events.push(name), subscribe: () => () => {} } as never,
      watch: true,
    });
  }, 60_000);
  afterAll(async () => {
    kube?.close();
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports each context with its auth kind, and a broken one with its problem', () => {
    const clusters = Object.fromEntries(kube.clusters().map((c) => [c.name, c]));
    expect(clusters['via-exec']).toMatchObject({ auth: 'exec', problem: null });
    expect(clusters['static-b']).toMatchObject({ auth: 'token', problem: null });
    expect(clusters.broken!.problem).toContain('"nowhere"');
  });

  it('scans every context; exec failures show the plugin stderr and one broken context stops nothing', async () => {
    const result = await kube.scan();
    const cell = Object.fromEntries(result.cells.map((c) => [c.cluster, c]));
    expect(cell['via-exec']!.state).toBe('missing');
    expect(cell['static-b']!.state).toBe('missing');
    expect(cell['exec-fails']!.state).toBe('error');
    expect(cell['exec-fails']!.reason).toContain('run sso-login');
    expect(cell['exec-fails']!.reason).toContain('exit 3');
    expect(cell['exec-hangs']!.reason).toMatch(/did not answer within/);
    expect(cell.broken!.state).toBe('error');
    expect(cell.broken!.reason).toContain('"nowhere"');
  });

  it('uses an OIDC id-token through client-node', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, sub: 'alice' })}.sig`;
    const oidcFile = join(dir, 'oidc');
    writeFileSync(
      oidcFile,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- {name: a, cluster: {server: "https://127.0.0.1:1"}}',
        'users:',
        '- name: o',
        '  user:',
        '    auth-provider:',
        '      name: oidc',
        '      config:',
        `        id-token: ${jwt}`,
        '        client-id: tessera',
        '        idp-issuer-url: https://issuer.invalid',
        'contexts:',
        '- {name: oidc, context: {cluster: a, user: o}}',
        '',
      ].join('\n'),
    );
    const endpoint = createEndpoint(loadKubeconfig({ kubeconfigEnv: oidcFile }).contexts.get('oidc')!, { execTimeoutMs: 1000 });
    expect(endpoint.auth).toBe('auth-provider');
    expect((await endpoint.credentials()).headers.Authorization).toBe(`Bearer ${jwt}`);
  });

  it('follows kubeconfig changes and emits kube.contexts.changed', async () => {
    const text = readFileSync(kubeconfig, 'utf8');
    writeFileSync(kubeconfig, `${text}- {name: added-later, context: {cluster: b, user: static}}\n`);
    const deadline = Date.now() + 5000;
    while (!kube.clusters().some((c) => c.name === 'added-later') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(kube.clusters().map((c) => c.name)).toContain('added-later');
    expect(events).toContain('kube.contexts.changed');
  });
});
