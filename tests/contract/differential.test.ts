// Differential check: one scripted scenario is run against the simulator AND the real
// kube-apiserver; every response (status + body) must be identical once the values that are
// legitimately different (uids, resourceVersions, timestamps) are masked. This is what keeps
// the simulator honest beyond the structural facts of kubernetes.contract.test.ts.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { KubeResponse } from './client.ts';
import { realTarget, realTargetSkipReason, simulatorTarget } from './targets.ts';
import type { ContractTarget } from './targets.ts';

const realSkip = realTargetSkipReason();
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ns = 'differential';
const sp = (n = ''): string => `/api/v1/namespaces/${ns}/secrets${n ? `/${n}` : ''}`;
const dp = (n = ''): string => `/apis/apps/v1/namespaces/${ns}/deployments${n ? `/${n}` : ''}`;
const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const managed = { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': 'billing' };

const dep = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w', labels: { app: 'w' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'w' } },
    template: {
      metadata: { labels: { app: 'w' } },
      spec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
          { name: 'side', image: 'busybox:1.36' },
        ],
      },
    },
  },
};
const wiring = (version: string, withEnv = true): unknown => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w' },
  spec: {
    template: {
      metadata: { annotations: { 'tessera.dev/version': version } },
      spec: {
        containers: [
          {
            name: 'app',
            ...(withEnv ? { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] } : {}),
            volumeMounts: [{ name: 'tv', mountPath: '/t', readOnly: true }],
          },
        ],
        volumes: [{ name: 'tv', secret: { secretName: 's' } }],
      },
    },
  },
});
const secret = (name: string, data: Record<string, string>, labels?: Record<string, string>): unknown => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...(labels ? { labels } : {}) },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

type Step = [string, (t: ContractTarget, uids: Map<string, string>) => Promise<KubeResponse>];
const STEPS: Step[] = [
  [
    'create namespace',
    (t) => t.admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'kubectl-create' }),
  ],
  ['list namespaces', (t) => t.admin.get('/api/v1/namespaces', { accept: META_LIST })],
  [
    'create secret',
    (t) =>
      t.admin.post(
        sp(),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', labels: { x: 'y' }, annotations: { n: 'm' } }, data: { k: b64('v') } },
        { fieldManager: 'kubectl-create' },
      ),
  ],
  ['apply secret (create)', (t) => t.admin.apply(sp('t'), secret('t', { user: 'u', password: 'p' }, managed), 'tessera')],
  ['apply secret (no-op)', (t) => t.admin.apply(sp('t'), secret('t', { user: 'u', password: 'p' }, managed), 'tessera')],
  ['apply secret (update, drop key)', (t) => t.admin.apply(sp('t'), secret('t', { user: 'u2' }, managed), 'tessera')],
  [
    'apply stringData',
    (t) => t.admin.apply(sp('sd'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sd' }, stringData: { k: 'v' }, type: 'Opaque' }, 'tessera'),
  ],
  ['kubectl-edit merge patch', (t) => t.admin.patch(sp('t'), { data: { user: b64('edited') } }, 'merge', 'kubectl-edit')],
  ['apply conflict', (t) => t.admin.apply(sp('t'), secret('t', { user: 'u3' }, managed), 'tessera')],
  ['apply shared ownership (same value)', (t) => t.admin.apply(sp('t'), secret('t', { user: 'edited' }, managed), 'tessera')],
  ['apply force', (t) => t.admin.apply(sp('t'), secret('t', { user: 'u4' }, managed), 'tessera', true)],
  ['strategic patch label', (t) => t.admin.patch(sp('t'), { metadata: { labels: { team: 'x' } } }, 'strategic', 'kubectl-patch')],
  ['json patch', (t) => t.admin.patch(sp('a'), [{ op: 'add', path: '/data/k3', value: b64('q') }], 'json', 'kubectl-patch')],
  ['json patch error', (t) => t.admin.patch(sp('a'), [{ op: 'remove', path: '/data/nothere' }], 'json', 'kubectl-patch')],
  ['metadata-only get', (t) => t.admin.get(sp('a'), { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' })],
  ['metadata-only list, selector', (t) => t.admin.get(sp(), { accept: META_LIST, query: { labelSelector: 'app.kubernetes.io/managed-by=tessera' } })],
  ['cluster-wide metadata-only list', (t) => t.admin.get('/api/v1/secrets', { accept: META_LIST, query: { labelSelector: 'tessera.dev/app in (billing)' } })],
  ['empty full list', (t) => t.admin.get('/api/v1/namespaces/kube-public/secrets')],
  ['empty metadata list', (t) => t.admin.get('/api/v1/namespaces/kube-public/secrets', { accept: META_LIST })],
  ['list with limit', (t) => t.admin.get(sp(), { query: { limit: '1' } })],
  ['bad selector', (t) => t.admin.get(sp(), { query: { labelSelector: 'a in (b' } })],
  ['type change', (t) => t.admin.patch(sp('a'), { type: 'kubernetes.io/tls' }, 'merge', 'p')],
  ['bad label on update', (t) => t.admin.patch(sp('a'), { metadata: { labels: { 'bad key': 'x' } } }, 'merge', 'p')],
  ['bad key on create', (t) => t.admin.post(sp(), secret('bk', { 'bad key': 'x' }))],
  ['bad name', (t) => t.admin.post(sp(), secret('Bad_Name', { a: 'x' }))],
  ['too big', (t) => t.admin.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, data: { a: b64('x'.repeat(1048577)) } })],
  [
    'request too large',
    (t) => t.admin.post(sp(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'huge' }, data: { a: b64('x'.repeat(3 * 1024 * 1024)) } }),
  ],
  ['already exists', (t) => t.admin.post(sp(), secret('a', { k: 'v' }))],
  ['get missing', (t) => t.admin.get(sp('missing'))],
  ['apply without fieldManager', (t) => t.admin.request('PATCH', sp('x'), { body: secret('x', {}), contentType: 'application/apply-patch+yaml' })],
  ['apply in missing namespace', (t) => t.admin.apply('/api/v1/namespaces/nope/secrets/x', secret('x', {}), 'tessera')],
  ['unsupported patch type', (t) => t.admin.request('PATCH', sp('a'), { body: {}, contentType: 'text/plain' })],
  ['unknown path', (t) => t.admin.get('/api/v1/configmapsx')],
  ['delete wrong uid', (t) => t.admin.delete(sp('t'), { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } })],
  ['delete wrong resourceVersion', (t) => t.admin.delete(sp('t'), { preconditions: { resourceVersion: '1' } })],
  ['delete right uid', async (t) => t.admin.delete(sp('t'), { preconditions: { uid: (await t.admin.get(sp('t'))).body.metadata.uid } })],
  ['limited: cluster-wide list', (t) => t.limited.get('/api/v1/secrets', { accept: META_LIST })],
  ['limited: own namespace list', (t) => t.limited.get(`/api/v1/namespaces/${t.limitedNamespace}/secrets`, { accept: META_LIST })],
  ['viewer: get secret', (t) => t.viewer.get(sp('a'))],
  [
    'limited: SSAR',
    (t) =>
      t.limited.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'list', resource: 'secrets', namespace: t.limitedNamespace } },
      }),
  ],
  [
    'limited: SSAR cluster-wide',
    (t) =>
      t.limited.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'list', resource: 'secrets' } },
      }),
  ],
  ['create deployment', (t) => t.admin.post(dp(), dep, { fieldManager: 'kubectl-create' })],
  ['apply wiring', (t) => t.admin.apply(dp('w'), wiring('v1'), 'tessera')],
  ['apply wiring (no-op)', (t) => t.admin.apply(dp('w'), wiring('v1'), 'tessera')],
  [
    'strategic patch env',
    (t) =>
      t.admin.patch(
        dp('w'),
        {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    env: [
                      { name: 'A', value: '2' },
                      { name: 'NEW', value: 'n' },
                    ],
                  },
                ],
              },
            },
          },
        },
        'strategic',
        'kubectl-patch',
      ),
  ],
  [
    'edit annotation',
    (t) => t.admin.patch(dp('w'), { spec: { template: { metadata: { annotations: { 'tessera.dev/version': 'hand' } } } } }, 'merge', 'kubectl-edit'),
  ],
  ['apply wiring conflict', (t) => t.admin.apply(dp('w'), wiring('v2'), 'tessera')],
  ['apply wiring force', (t) => t.admin.apply(dp('w'), wiring('v2'), 'tessera', true)],
  ['apply unwire env', (t) => t.admin.apply(dp('w'), wiring('v3', false), 'tessera')],
  [
    'put deployment',
    async (t) => {
      const g = (await t.admin.get(dp('w'))).body;
      g.spec.replicas = 3;
      return t.admin.put(dp('w'), g, { fieldManager: 'kubectl-replace' });
    },
  ],
  [
    'mount without volume',
    (t) =>
      t.admin.apply(
        dp('w'),
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'w' },
          spec: { template: { spec: { containers: [{ name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/nope' }] }] } } },
        },
        'other',
      ),
  ],
  ['get deployment missing', (t) => t.admin.get(dp('missing'))],
  ['delete deployment', (t) => t.admin.delete(dp('w'))],
];

const MASK = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'time', 'continue', 'remainingItemCount']);
function normalize(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (k, x) => {
      if (MASK.has(k)) return `<${k}>`;
      if (k === 'managedFields' && Array.isArray(x)) {
        // entries with equal operation are ordered by time (seconds): ties depend on the clock
        return [...x].sort((a, b) => `${a.operation}/${a.manager}`.localeCompare(`${b.operation}/${b.manager}`));
      }
      if (typeof x === 'string')
        return x.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>').replace(/\b(record|meta) \(\d+\)/g, '$1 (<rv>)');
      return x;
    }),
  );
}

async function run(start: () => Promise<ContractTarget>): Promise<{ name: string; status: number; body: unknown }[]> {
  const t = await start();
  try {
    const out = [];
    const uids = new Map<string, string>();
    for (const [name, step] of STEPS) {
      const r = await step(t, uids);
      out.push({ name, status: r.status, body: normalize(r.body) });
    }
    return out;
  } finally {
    await t.stop();
  }
}

describe.skipIf(realSkip !== undefined)('differential: simulator vs real kube-apiserver', () => {
  it('answers the scripted scenario identically (masked uids, resourceVersions, times)', async () => {
    const sim = await run(simulatorTarget);
    const real = await run(realTarget);
    const diffs = sim
      .filter((s, i) => !isDeepStrictEqual(s, real[i]))
      .map((s) => {
        const r = real.find((x) => x.name === s.name);
        return `${s.name}\n  simulator: ${JSON.stringify(s).slice(0, 1500)}\n  real:      ${JSON.stringify(r).slice(0, 1500)}`;
      });
    console.log(`differential: ${STEPS.length - diffs.length}/${STEPS.length} steps identical`);
    expect(diffs, diffs.join('\n')).toEqual([]);
  });
});
