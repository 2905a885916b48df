import { describe, expect, it } from 'vitest';
import type { PlanSummary } from '../../../../shared/contract/index.ts';
import { planStatuses, planTitle } from './plan-title.ts';

const counts = (create: number, update = 0) => ({ create, update, rewire: 0, delete: 0, adopt: 0, nothing: 0 });
const plan = (hash: string, apps: string[], extra: Partial<PlanSummary> = {}): PlanSummary => ({
  hash,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'olivia',
  intent: 'sync',
  counts: counts(3),
  clusters: 4,
  apps,
  changedClusters: 4,
  env: 'prod',
  approved: false,
  rollouts: [],
  ...extra,
});

describe('plans named by what they do', () => {
  it('says apps, where and what, in full words', () => {
    expect(planTitle(plan('a', ['payments']))).toBe('payments → 4 prod clusters, 3 creates');
    expect(planTitle(plan('a', ['a', 'b', 'c'], { counts: counts(1, 2), env: null, changedClusters: 1 }))).toBe(
      'a and 2 more apps → 1 cluster, 1 create, 2 updates',
    );
  });
  it('marks an older plan for the same apps superseded, and executed plans executed', () => {
    const statuses = planStatuses([
      plan('new', ['payments']),
      plan('old', ['payments']),
      plan('done', ['search'], { rollouts: ['r1'] }),
      plan('idle', ['x'], { counts: counts(0) }),
    ]);
    expect(Object.fromEntries(statuses)).toEqual({ new: 'needs approval', old: 'superseded', done: 'executed', idle: 'nothing to do' });
  });
});
