// computePlan decides every write of a rollout from the desired state and a scan. These cases are
// the decisions an approver signs: create, update, restore, rewire, delete, leave alone.
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../shared/contract/index.ts';
import type { CellState, MatrixCell, SecretCell } from '../../../shared/domain/cell-state.ts';
import type { PlanScope } from '../../../shared/domain/plan.ts';
import type { AppPublication } from '../kube/index.ts';
import { computePlan, scopeClusters, wiringHash, wiringOf, type PlanInputs } from './planner.ts';

const clusters = new Map<string, Record<string, string>>([
  ['prod-a', { env: 'prod' }],
  ['prod-b', { env: 'prod' }],
  ['dev', { env: 'dev' }],
]);
const everything: PlanScope = { apps: [], clusters: [], selector: '', cells: [] };

function publication(overrides: Partial<AppPublication> = {}): AppPublication {
  return {
    app: 'web',
    targeting: { selector: 'env=prod', include: [], exclude: [] },
    published: ['prod-a', 'prod-b', 'dev'],
    secrets: [
      {
        app: 'web',
        name: 'db',
        namespace: 'shop',
        createNamespace: false,
        versionId: 'v2',
        keys: ['PASSWORD', 'USER'],
        delivery: 'env',
        mountPath: null,
        workload: null,
      },
    ],
    ...overrides,
  };
}

function live(state: CellState, overrides: Partial<SecretCell> = {}): SecretCell {
  return {
    namespace: 'shop',
    name: 'db',
    state,
    reason: `it is ${state}`,
    liveVersionId: 'v1',
    publishedVersionId: 'v2',
    uid: 'uid-1',
    keysAdded: [],
    keysRemoved: [],
    drift: [],
    ...overrides,
  };
}

function scan(cells: [string, SecretCell[]][]): ScanResult {
  const matrix: MatrixCell[] = cells.map(([cluster, secrets]) => ({ app: 'web', cluster, state: secrets[0]?.state ?? 'missing', reason: '', secrets }));
  return { scanId: 's1', startedAt: '', finishedAt: '', apps: ['web'], clusters: [...clusters.keys()], cells: matrix, cancelled: false };
}

function plan(overrides: Partial<PlanInputs>) {
  return computePlan({
    intent: 'sync',
    scope: everything,
    publications: [publication()],
    clusters,
    scan: null,
    versionKeys: (id) => (id === 'v1' ? ['PASSWORD', 'OLD'] : id === 'v2' ? ['PASSWORD', 'USER'] : null),
    lastWiring: () => null,
    adopt: [],
    ...overrides,
  });
}

const actionAt = (body: ReturnType<typeof plan>, cluster: string) => body.actions.find((a) => a.cluster === cluster)!;

describe('computePlan', () => {
  it('creates a missing Secret on each targeted cluster and nothing on an untargeted one', () => {
    const body = plan({
      scan: scan([
        ['prod-a', []],
        ['prod-b', []],
        ['dev', []],
      ]),
    });
    expect(body.actions.map((a) => `${a.cluster}:${a.action}`)).toEqual(['prod-a:create', 'prod-b:create']);
    expect(actionAt(body, 'prod-a').keys).toEqual({ added: ['PASSWORD', 'USER'], removed: [], kept: [] });
    expect(body.clusters.map((c) => c.name)).toEqual(['prod-a', 'prod-b']);
  });

  it('updates an outdated Secret with the key diff against the live version', () => {
    const a = actionAt(plan({ scan: scan([['prod-a', [live('outdated')]]]) }), 'prod-a');
    expect(a.action).toBe('update');
    expect(a.overwrite).toBe(false);
    expect(a.keys).toEqual({ added: ['USER'], removed: ['OLD'], kept: ['PASSWORD'] });
  });

  it('restores a drifted Secret, overwriting the fields someone else took', () => {
    const a = actionAt(plan({ scan: scan([['prod-a', [live('drifted')]]]) }), 'prod-a');
    expect(a.action).toBe('update');
    expect(a.overwrite).toBe(true);
  });

  it('leaves an in-sync Secret alone, and rewires it when its wiring changed since the last write', () => {
    const inSync = scan([['prod-a', [live('in-sync', { liveVersionId: 'v2' })]]]);
    expect(actionAt(plan({ scan: inSync }), 'prod-a').action).toBe('nothing');
    expect(actionAt(plan({ scan: inSync, lastWiring: () => wiringHash(null) }), 'prod-a').action).toBe('nothing');
    expect(actionAt(plan({ scan: inSync, lastWiring: () => 'another-wiring' }), 'prod-a').action).toBe('rewire');
  });

  it('deletes a managed Secret where the app is no longer targeted, naming why', () => {
    const a = actionAt(plan({ scan: scan([['dev', [live('orphaned')]]]) }), 'dev');
    expect(a.action).toBe('delete');
    expect(a.reason).toContain('not published to dev');
    expect(a.keys.removed).toEqual(['OLD', 'PASSWORD']);
  });

  it("never writes or deletes a Secret that only claims to be Tessera's", () => {
    const body = plan({
      scan: scan([
        ['prod-a', [live('claimed')]],
        ['dev', [live('claimed')]],
      ]),
    });
    expect(actionAt(body, 'prod-a').action).toBe('nothing');
    expect(actionAt(body, 'dev').action).toBe('nothing');
    expect(actionAt(body, 'dev').reason).toMatch(/^Left alone/u);
  });

  it('adopts only when asked, with overwrite', () => {
    const a = actionAt(plan({ scan: scan([['prod-a', [live('claimed')]]]), adopt: [{ app: 'web', secret: 'db', cluster: 'prod-a' }] }), 'prod-a');
    expect(a.action).toBe('adopt');
    expect(a.overwrite).toBe(true);
  });

  it('applies idempotently where the live state is unknown (not scanned)', () => {
    expect(actionAt(plan({ scan: null }), 'prod-a').action).toBe('update');
  });

  it('deletes everywhere for a delete-app plan', () => {
    const body = plan({
      intent: 'delete-app',
      scan: scan([
        ['prod-a', [live('in-sync')]],
        ['dev', [live('orphaned')]],
      ]),
    });
    expect(body.actions.map((a) => `${a.cluster}:${a.action}`)).toEqual(['dev:delete', 'prod-a:delete']);
  });

  it('refuses an unknown app or cluster in the scope, naming the field', () => {
    expect(() => plan({ scope: { ...everything, apps: ['nope'] } })).toThrow(expect.objectContaining({ code: 'NOT_FOUND', field: 'scope.apps' }));
    expect(() => plan({ scope: { ...everything, clusters: ['nope'] } })).toThrow(expect.objectContaining({ code: 'NOT_FOUND', field: 'scope.clusters' }));
  });

  it('gives the same body whatever order the inputs come in (so the same hash)', () => {
    const cells: [string, SecretCell[]][] = [
      ['prod-a', [live('outdated')]],
      ['prod-b', []],
      ['dev', [live('orphaned')]],
    ];
    const reversed = new Map([...clusters].reverse());
    expect(plan({ clusters: reversed, scan: scan([...cells].reverse()) })).toEqual(plan({ scan: scan(cells) }));
  });
});

describe('scopeClusters', () => {
  it('narrows by names, then selector, then cells, sorted', () => {
    expect(scopeClusters(everything, clusters)).toEqual(['dev', 'prod-a', 'prod-b']);
    expect(scopeClusters({ ...everything, selector: 'env=prod' }, clusters)).toEqual(['prod-a', 'prod-b']);
    expect(scopeClusters({ ...everything, clusters: ['dev', 'prod-b'], selector: 'env=prod' }, clusters)).toEqual(['prod-b']);
    expect(scopeClusters({ ...everything, cells: [{ app: 'web', cluster: 'dev' }] }, clusters)).toEqual(['dev']);
  });

  it('refuses an invalid selector with INVALID_INPUT naming scope.selector', () => {
    expect(() => scopeClusters({ ...everything, selector: 'env in (' }, clusters)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'scope.selector' }),
    );
  });
});

describe('wiringOf', () => {
  it('is null without a workload, and names container null when every container is wired', () => {
    expect(wiringOf({ delivery: 'env', mountPath: null, workload: null })).toBeNull();
    expect(wiringOf({ delivery: 'volume', mountPath: '/s', workload: { kind: 'Deployment', name: 'web' } })).toEqual({
      delivery: 'volume',
      mountPath: '/s',
      workload: { kind: 'Deployment', name: 'web', container: null },
    });
  });
});
