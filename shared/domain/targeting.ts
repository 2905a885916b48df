// Where an app goes: the one targeting rule that the scan, the rollout planner and the Apps
// editor all apply. Exclude wins, then include, then the label selector (an empty or invalid
// selector picks nothing by label); and the app is wanted on a cluster only where it is also
// published. Targeting says where an app may go; publishing says it should be there.
import { matches, parseSelector, type LabelSelector } from './labels.ts';

export interface Targeting {
  /** A label selector over cluster labels; "" selects no cluster by label. */
  selector: string;
  include: readonly string[];
  exclude: readonly string[];
}

/** Why a cluster is (or is not) targeted: excluded by name, included by name, selected by its labels, or none of these. */
export type TargetReason = 'excluded' | 'included' | 'selector' | 'none';

export function targetReason(t: Targeting, cluster: string, labels: Record<string, string>): TargetReason {
  return reasonOf(compile(t), cluster, labels);
}

/** Whether the targeting picks the cluster (included, or selected and not excluded). */
export function targets(t: Targeting, cluster: string, labels: Record<string, string>): boolean {
  return picks(targetReason(t, cluster, labels));
}

/** An app as the rule needs it: its targeting and the clusters it is published on. */
export interface Publication {
  targeting: Targeting;
  published: readonly string[];
}

/** Whether the app belongs on this cluster now: published there, and picked by its targeting. */
export function isTargeted(publication: Publication, cluster: string, labels: Record<string, string>): boolean {
  const c = compiledPublication(publication);
  return c.published.has(cluster) && picks(reasonOf(c, cluster, labels));
}

interface Compiled {
  include: Set<string>;
  exclude: Set<string>;
  /** null: selects nothing by label (empty or unparsable selector). */
  selector: LabelSelector | null;
}

const picks = (reason: TargetReason) => reason === 'included' || reason === 'selector';

function compile(t: Targeting): Compiled {
  return { include: new Set(t.include), exclude: new Set(t.exclude), selector: t.selector.trim() === '' ? null : parseSelector(t.selector).selector };
}

function reasonOf(c: Compiled, cluster: string, labels: Record<string, string>): TargetReason {
  if (c.exclude.has(cluster)) return 'excluded';
  if (c.include.has(cluster)) return 'included';
  return c.selector !== null && matches(c.selector, labels) ? 'selector' : 'none';
}

interface CompiledPublication extends Compiled {
  published: Set<string>;
  source: { published: readonly string[]; include: readonly string[]; exclude: readonly string[]; selector: string; lengths: number };
}

const cache = new WeakMap<Publication, CompiledPublication>();

/** A publication's targeting as Sets and a parsed selector: built once, then each (app, cluster) check is O(1). */
function compiledPublication(publication: Publication): CompiledPublication {
  const t = publication.targeting;
  const lengths = publication.published.length * 1e6 + t.include.length * 1e3 + t.exclude.length;
  const hit = cache.get(publication);
  // Reused while the publication keeps the same lists and selector (a scan or a plan checks one
  // publication against every cluster); anything changed in place is compiled again.
  if (
    hit &&
    hit.source.published === publication.published &&
    hit.source.include === t.include &&
    hit.source.exclude === t.exclude &&
    hit.source.selector === t.selector &&
    hit.source.lengths === lengths
  )
    return hit;
  const next: CompiledPublication = {
    ...compile(t),
    published: new Set(publication.published),
    source: { published: publication.published, include: t.include, exclude: t.exclude, selector: t.selector, lengths },
  };
  cache.set(publication, next);
  return next;
}
