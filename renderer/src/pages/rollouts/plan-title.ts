// A plan named by what it does ("payments → 4 prod clusters, 3 creates"), not by its hash.
// Full action words everywhere: "create", never "CR…".
import type { PlanSummary } from '../../../../shared/contract/index.ts';
import type { PlanAction, PlanActionKind } from '../../../../shared/domain/plan.ts';

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

/** What the clusters of a plan have in common, e.g. "4 prod clusters", or "1 cluster". */
export function clustersPhrase(clusters: { name: string; labels: Record<string, string> }[]): string {
  const n = clusters.length;
  const envs = new Set(clusters.map((c) => c.labels.env ?? ''));
  const env = envs.size === 1 ? [...envs][0] : '';
  if (n === 1) return clusters[0]!.name;
  return `${n} ${env ? `${env} ` : ''}clusters`;
}

/** The plan's name: apps → clusters, what changes. Works from a summary alone when the body is not loaded. */
export function planTitle(plan: PlanSummary & { body?: { clusters: { name: string; labels: Record<string, string> }[]; actions: PlanAction[] } }): string {
  const what = countsPhrase(plan.counts);
  const verb = plan.intent === 'delete-app' ? 'delete ' : '';
  if (!plan.body) return `${verb}${plan.clusters} cluster${plan.clusters === 1 ? '' : 's'}, ${what}`;
  const changed = plan.body.actions.filter((a) => a.action !== 'nothing');
  const apps = [...new Set((changed.length > 0 ? changed : plan.body.actions).map((a) => a.app))].sort();
  const touched = new Set(changed.map((a) => a.cluster));
  const clusters = plan.body.clusters.filter((c) => touched.size === 0 || touched.has(c.name));
  const appText = apps.length === 0 ? 'no app' : apps.length <= 2 ? apps.join(', ') : `${apps[0]} and ${apps.length - 1} more apps`;
  return `${verb}${appText} → ${clustersPhrase(clusters)}, ${what}`;
}
