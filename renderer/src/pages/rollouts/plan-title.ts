// A plan named by what it does ("payments → 4 prod clusters, 3 creates"), not by its hash.
// Full action words everywhere: "create", never "CR…".
import type { PlanSummary } from '../../../../shared/contract/index.ts';
import type { PlanActionKind } from '../../../../shared/domain/plan.ts';

/** The word for each action, singular and plural. */
export const ACTION_WORDS: Record<PlanActionKind, [string, string]> = {
  create: ['create', 'creates'],
  update: ['update', 'updates'],
  rewire: ['workload wiring', 'workload wirings'],
  delete: ['delete', 'deletes'],
  adopt: ['adoption', 'adoptions'],
  nothing: ['no change', 'no changes'],
};

/** "3 creates, 1 update", or "no change" when nothing is written. */
export function countsPhrase(counts: Record<PlanActionKind, number>): string {
  const parts = (Object.keys(ACTION_WORDS) as PlanActionKind[])
    .filter((k) => k !== 'nothing' && (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${ACTION_WORDS[k][counts[k] === 1 ? 0 : 1]}`);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

/** The plan's name: apps → clusters, what changes ("payments → 4 prod clusters, 3 creates"). */
export function planTitle(plan: Pick<PlanSummary, 'intent' | 'counts' | 'apps' | 'changedClusters' | 'clusters' | 'env'>): string {
  const what = countsPhrase(plan.counts);
  const verb = plan.intent === 'delete-app' ? 'delete ' : '';
  const apps = plan.apps ?? [];
  const appText = apps.length === 0 ? 'no app' : apps.length <= 2 ? apps.join(', ') : `${apps[0]} and ${apps.length - 1} more apps`;
  const n = plan.changedClusters > 0 ? plan.changedClusters : plan.clusters;
  const where = `${n} ${plan.env ? `${plan.env} ` : ''}cluster${n === 1 ? '' : 's'}`;
  return `${verb}${appText} → ${where}, ${what}`;
}

export type PlanStatus = 'executed' | 'approved' | 'needs approval' | 'superseded' | 'nothing to do';

/**
 * Where a plan stands. A plan is superseded when a newer plan covers the same apps: its
 * approvals would be for a state the newer plan replaced, so it is hidden by default.
 */
export function planStatuses(plans: readonly PlanSummary[]): Map<string, PlanStatus> {
  const out = new Map<string, PlanStatus>();
  const newest = new Set<string>();
  // Plans arrive newest first.
  for (const p of plans) {
    const key = [...(p.apps ?? [])].sort().join(',');
    const changes = Object.entries(p.counts).some(([k, n]) => k !== 'nothing' && n > 0);
    if (p.rollouts.length > 0) out.set(p.hash, 'executed');
    else if (newest.has(key)) out.set(p.hash, 'superseded');
    else if (!changes) out.set(p.hash, 'nothing to do');
    else out.set(p.hash, p.approved ? 'approved' : 'needs approval');
    newest.add(key);
  }
  return out;
}
