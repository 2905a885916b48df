// Rollout plans as pure data: the canonical encoding that is hashed (SHA-256) and signed by
// approvers, the order of actions, and the domain-separated messages tokens sign. No Node, no DOM:
// the renderer can show, diff and re-encode a plan exactly as the backend hashed it.

export const PLAN_ACTIONS = ['create', 'update', 'rewire', 'delete', 'adopt', 'nothing'] as const;
export type PlanActionKind = (typeof PLAN_ACTIONS)[number];

/** Key names only, never values: what a write adds, removes and keeps (kept keys may hold new values). */
export interface PlanKeyChanges {
  added: string[];
  removed: string[];
  kept: string[];
}

export interface PlanWiring {
  delivery: 'env' | 'volume';
  mountPath: string | null;
  workload: { kind: string; name: string; container: string | null } | null;
}

/** One action on one (app, secret, cluster). */
export interface PlanAction {
  app: string;
  secret: string;
  namespace: string;
  cluster: string;
  action: PlanActionKind;
  /** Why, in a sentence for an approver. Never holds a value. */
  reason: string;
  /** The version written (create, update, rewire, adopt), else null. */
  versionId: string | null;
  /** SHA-256 (hex) of that version's nonce ‖ ciphertext: approvals bind its content, not only its id. */
  versionDigest?: string;
  /** The version live on the cluster when planned, when known. */
  liveVersionId: string | null;
  keys: PlanKeyChanges;
  /** Take over fields another field manager owns (restoring a drifted Secret). */
  overwrite: boolean;
  wiring: PlanWiring | null;
  createNamespace: boolean;
}

/** The cluster facts a plan depends on: policies are matched against these labels. */
export interface PlanCluster {
  name: string;
  labels: Record<string, string>;
}

export interface PlanScope {
  apps: string[];
  clusters: string[];
  selector: string;
  cells: { app: string; cluster: string }[];
}

/** Exactly what is hashed and signed. */
export interface PlanBody {
  format: typeof PLAN_FORMAT;
  /** 'sync' brings cells to the published state; 'delete-app' removes every live Secret of the apps in scope, then the apps. */
  intent: 'sync' | 'delete-app';
  scope: PlanScope;
  clusters: PlanCluster[];
  actions: PlanAction[];
}

export const PLAN_FORMAT = 'tessera.rollout.plan/v1';
/** The hash is SHA-256 (lower-case hex) of PLAN_DOMAIN followed by the canonical JSON of the body, as UTF-8. */
export const PLAN_DOMAIN = 'tessera.plan.v1\n';
const APPROVAL_DOMAIN = 'tessera.plan.approval.v1\n';
const EXECUTION_DOMAIN = 'tessera.plan.execution.v1\n';

export { canonicalJson } from './canonical-json.ts';
import { canonicalJson } from './canonical-json.ts';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Actions in canonical order: app, secret, namespace, cluster. */
export function compareActions(a: PlanAction, b: PlanAction): number {
  return cmp(a.app, b.app) || cmp(a.secret, b.secret) || cmp(a.namespace, b.namespace) || cmp(a.cluster, b.cluster);
}

const sorted = (list: readonly string[]) => [...new Set(list)].sort(cmp);

/** The body with every list in canonical order (sets sorted and deduplicated). Hash this, not a hand-built object. */
export function normalizePlanBody(body: PlanBody): PlanBody {
  return {
    format: PLAN_FORMAT,
    intent: body.intent,
    scope: {
      apps: sorted(body.scope.apps),
      clusters: sorted(body.scope.clusters),
      selector: body.scope.selector,
      cells: [...body.scope.cells].sort((a, b) => cmp(a.app, b.app) || cmp(a.cluster, b.cluster)),
    },
    clusters: [...body.clusters].sort((a, b) => cmp(a.name, b.name)).map((c) => ({ name: c.name, labels: { ...c.labels } })),
    actions: body.actions
      .map((a) => ({ ...a, keys: { added: sorted(a.keys.added), removed: sorted(a.keys.removed), kept: sorted(a.keys.kept) } }))
      .sort(compareActions),
  };
}

/** The bytes whose SHA-256 is the plan hash. */
export function planHashInput(body: PlanBody): string {
  return PLAN_DOMAIN + canonicalJson(normalizePlanBody(body));
}

/** What an approver's token signs: the domain tag and the plan hash. */
export function approvalMessage(planHash: string): string {
  return APPROVAL_DOMAIN + planHash;
}

/** What the requester's token signs to prove who executes a plan. */
export function executionMessage(planHash: string): string {
  return EXECUTION_DOMAIN + planHash;
}

/** Counts of actions by kind, for summaries. */
export function actionCounts(actions: readonly PlanAction[]): Record<PlanActionKind, number> {
  const out = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanActionKind, number>;
  for (const a of actions) out[a.action]++;
  return out;
}

/** Whether an action changes anything on a cluster. */
export function isWrite(a: PlanAction): boolean {
  return a.action !== 'nothing';
}
