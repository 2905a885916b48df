// Channels about rollouts: plans (what would change, hashed and signed), approvals, execution
// with progress, the journal (history, interrupted rollouts, resume, retry), and the signed
// chain of principals, roles and policies those checks rest on.
import { z } from 'zod';
import { channel } from '../channel.ts';
import type { ContractError } from '../errors.ts';
import type { PlanAction, PlanActionKind, PlanBody } from '../../domain/plan.ts';
import { ROLES, type Role } from './vault.ts';

export type { PlanAction, PlanActionKind, PlanBody, PlanCluster, PlanKeyChanges, PlanScope, PlanWiring } from '../../domain/plan.ts';

/** One policy that applies to a plan, and how far its approvals are. */
export interface PolicyRequirement {
  policy: string;
  selector: string;
  required: number;
  approverRole: Role;
  excludeRequester: boolean;
  /** Clusters of the plan (with a write) that the policy's selector matches. */
  clusters: string[];
  /** Principals whose valid approval counts for this policy. */
  given: string[];
  satisfied: boolean;
}

export interface ApprovalView {
  principal: string;
  keyFingerprint: string;
  algorithm: string;
  at: string;
  /** Whether the signature verifies over this plan's hash with the principal's key from the signed chain. */
  valid: boolean;
  /** When not valid, or not counted: why. */
  note: string | null;
}

export interface PlanSummary {
  hash: string;
  createdAt: string;
  /** The principal (or OS user) who made the plan. */
  createdBy: string;
  intent: PlanBody['intent'];
  counts: Record<PlanActionKind, number>;
  clusters: number;
  /** Apps the plan changes (every app in it when it changes nothing). */
  apps: string[];
  /** Clusters with at least one write. */
  changedClusters: number;
  /** The env label every changed cluster shares, else null. */
  env: string | null;
  /** Every applicable policy satisfied. */
  approved: boolean;
  /** Rollouts that executed this plan, newest first. */
  rollouts: string[];
}

export interface PlanView extends PlanSummary {
  body: PlanBody;
  /** Only the actions that change something (the body holds the "nothing" ones too). */
  changes: PlanAction[];
  requirements: PolicyRequirement[];
  approvals: ApprovalView[];
  /** The scan the plan was computed from. */
  scanId: string | null;
  /** Versions whose content changed since the plan was made (their digests are in the plan): it cannot be executed. */
  tampered: string[];
}

export type RolloutStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type StepState = 'pending' | 'in-flight' | 'done' | 'failed' | 'skipped';

export interface RolloutStep {
  app: string;
  secret: string;
  namespace: string;
  cluster: string;
  action: PlanActionKind;
  state: StepState;
  attempts: number;
  /** What the cluster did: created, updated, unchanged, deleted, absent. */
  result: string | null;
  resourceVersion: string | null;
  uid: string | null;
  error: ContractError | null;
  updatedAt: string;
}

export interface RolloutClusterStatus {
  cluster: string;
  state: StepState;
  steps: number;
  done: number;
  failed: number;
  error: ContractError | null;
}

export interface RolloutSummary {
  id: string;
  planHash: string;
  requester: string;
  status: RolloutStatus;
  startedAt: string;
  finishedAt: string | null;
  /** Token unwraps performed (one per secret version written, per run). */
  unwraps: number;
  total: number;
  done: number;
  failed: number;
  pending: number;
}

export interface RolloutView extends RolloutSummary {
  clusters: RolloutClusterStatus[];
  steps: RolloutStep[];
  /** Clusters whose steps are unmet but retried by the reconciler (standing intent), and its next attempt. */
  waiting?: { clusters: number; nextAttempt: string | null };
}

/** An (app, cluster) cell with an unmet step of a standing rollout, and when Tessera tries it next. */
export interface PendingCell {
  app: string;
  cluster: string;
  rolloutId: string;
  action: PlanActionKind;
  attempts: number;
  /** Null when no reconciler runs in this process, or the error needs a person (a new plan). */
  nextAttempt: string | null;
  error: ContractError | null;
}

/** A time-limited publication: unpublished (and deprovisioned) by the reconciler at expiresAt. */
export interface PublicationExpiry {
  app: string;
  cluster: string;
  expiresAt: string;
  setBy: string;
  setAt: string;
}

export interface RolloutProgressEvent {
  rolloutId: string;
  cluster: string;
  app: string;
  secret: string;
  action: PlanActionKind;
  state: StepState;
  error: ContractError | null;
  done: number;
  failed: number;
  total: number;
}

export interface TrustPrincipalView {
  name: string;
  roles: Role[];
  keyFingerprint: string;
  publicKeyPem: string;
  /** Seq of the signed record that last set this principal, and who signed it. */
  recordSeq: number;
  signedBy: string;
  /** The row in the vault's table matches the signed chain. */
  consistent: boolean;
}

export interface TrustPolicyView {
  name: string;
  selector: string;
  requiredApprovals: number;
  approverRole: Role;
  excludeRequester: boolean;
  recordSeq: number;
  signedBy: string;
  consistent: boolean;
}

/** The owners of an app, as a security officer signed them: they may write and reveal its secrets. */
export interface AppOwnersView {
  app: string;
  owners: string[];
  recordSeq: number;
  signedBy: string;
}

/** What adopting an existing vault would sign: its unsigned recipients and versions. */
export interface AdoptReview {
  /** Adopted before (from then on every version must be signed or adopted). */
  adopted: boolean;
  recipients: { fingerprint: string; kind: string; label: string; status: 'active' | 'retired'; tokenSerial: string | null; problem: string | null }[];
  versions: { versionId: string; app: string; secret: string; number: number; contentDigest: string; createdBy: string; createdAt: string }[];
}

export interface TrustStatus {
  /**
   * signed: a chain exists and is the only source of grants; legacy: no chain yet (old versions
   * are readable with a token, nothing is provisioned or written); unsigned-demo: the explicit
   * single-user demo (TESSERA_UNSIGNED_DEMO=1), nothing is signed and nothing is secured.
   */
  mode: 'signed' | 'legacy' | 'unsigned-demo';
  /** A security officer adopted the vault (or it was empty when bootstrapped). */
  adopted: boolean;
  bootstrapped: boolean;
  /** The first security officer and the fingerprint pinned outside the database. */
  anchor: { principal: string; keyFingerprint: string; genesisHash: string } | null;
  records: number;
  ok: boolean;
  /** Every problem found: broken records, rows not backed by the chain. */
  problems: string[];
}

const name = z.string().min(1, 'must not be empty').max(253, 'is too long');
const hash = z.string().regex(/^[0-9a-f]{64}$/u, 'must be a 64-character lower-case hex SHA-256');
const rolloutId = z.string().min(1).max(64);
const principal = name;
const selector = z.string().max(4096, 'is too long');
const role = z.enum(ROLES);
const scope = z
  .object({
    apps: z.array(name).max(10_000).optional(),
    clusters: z.array(name).max(10_000).optional(),
    selector: selector.optional(),
    cells: z
      .array(z.object({ app: name, cluster: name }).strict())
      .max(100_000)
      .optional(),
  })
  .strict();
const keyRef = { tokenSerial: z.string().min(1).max(64), keyId: z.string().regex(/^[0-9a-fA-F]+$/u, 'must be hex') };
/** The acting principal: proven by a signature with their key on an unlocked token. */
const as = principal.optional();

export const rolloutChannels = {
  'rollout.plan': channel<PlanView>()(
    z
      .object({
        scope: scope.default({}),
        as,
        /** Take over these existing Secrets that lack Tessera's label. */
        adopt: z
          .array(z.object({ app: name, secret: name, cluster: name }).strict())
          .max(10_000)
          .optional(),
        /** Scan the clusters in scope first (default); false plans from the last stored scan. */
        refresh: z.boolean().optional(),
      })
      .strict(),
    'Plan what would change per (app, secret, cluster) and its hash; nothing is written',
  ),
  'rollout.planDeleteApp': channel<PlanView>()(
    z.object({ app: name, as, refresh: z.boolean().optional() }).strict(),
    'Plan removing every live Secret of an app; executing it deletes the app from the vault after',
  ),
  'rollout.publish': channel<PlanView>()(
    z.object({ app: name, cluster: name, state: z.enum(['published', 'unpublished']), as, expiresAt: z.iso.datetime({ offset: true }).optional() }).strict(),
    'Publish or unpublish an app on a cluster and plan the provisioning or deprovisioning; a publication may end at expiresAt',
  ),
  'rollout.pending': channel<PendingCell[]>()(
    z.object({}).strict(),
    'Cells with an unmet step of a standing rollout, and when the reconciler tries each next (null: no reconciler runs here)',
  ),
  'rollout.expiries': channel<PublicationExpiry[]>()(z.object({}).strict(), 'Time-limited publications and when each ends'),
  'rollout.retarget': channel<PlanView>()(
    z.object({ app: name, targeting: z.object({ selector, include: z.array(name).max(10_000), exclude: z.array(name).max(10_000) }).strict(), as }).strict(),
    "Change an app's targeting and plan the provisioning and deprovisioning that follow",
  ),
  'rollout.getPlan': channel<PlanView>()(z.object({ hash }).strict(), 'One plan with its actions, policies and approvals'),
  'rollout.plans': channel<PlanSummary[]>()(z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(), 'Plans, newest first'),
  'rollout.approve': channel<PlanView>()(
    z
      .object({
        hash,
        principal,
        /** A signature made elsewhere (base64); without it, the principal's key on an unlocked token signs here. */
        signature: z
          .object({ algorithm: z.enum(['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha256']), value: z.string().max(4096) })
          .strict()
          .optional(),
      })
      .strict(),
    "Approve a plan: the principal's token signs its hash",
  ),
  'rollout.execute': channel<RolloutView>()(
    z.object({ hash, as }).strict(),
    'Execute an approved plan: one unwrap per version, every cluster within the limits; streams rollout.progress',
  ),
  'rollout.retry': channel<RolloutView>()(
    z.object({ rolloutId, as }).strict(),
    'Resume an interrupted rollout, or retry the failed clusters of a finished one',
  ),
  'rollout.cancel': channel<{ cancelled: boolean }>()(z.object({ rolloutId }).strict(), 'Cancel a running rollout (steps in flight finish or stop cleanly)'),
  'rollout.list': channel<RolloutSummary[]>()(z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(), 'Rollouts, newest first'),
  'rollout.get': channel<RolloutView>()(z.object({ rolloutId }).strict(), 'One rollout with its status per cluster and every step'),
  'rollout.interrupted': channel<RolloutSummary[]>()(z.object({}).strict(), 'Rollouts a crash or kill interrupted; resume them with rollout.retry'),
  'rollout.trust': channel<TrustStatus>()(z.object({}).strict(), 'Walk the signed chain of principals and policies back to the pinned first security officer'),
  'rollout.bootstrap': channel<TrustPrincipalView>()(
    z.object({ name, ...keyRef }).strict(),
    'Make the first security officer: a genesis record self-signed with their token key, pinned outside the database',
  ),
  'rollout.owners': channel<AppOwnersView[]>()(z.object({}).strict(), 'App owners as the signed chain names them'),
  'rollout.setOwners': channel<AppOwnersView>()(
    z.object({ app: name, owners: z.array(principal).max(256), signer: principal }).strict(),
    "Name an app's owners (app-owner: they may write and reveal its secrets); a security officer's token signs the record",
  ),
  'rollout.adoptReview': channel<AdoptReview>()(z.object({}).strict(), "The existing vault's unsigned recipients and versions a security officer would adopt"),
  'rollout.adopt': channel<AdoptReview>()(
    z.object({ signer: principal }).strict(),
    "Adopt the existing vault: a security officer's token signs its unsigned recipients and versions (with their content digests) once",
  ),
  'rollout.principals': channel<TrustPrincipalView[]>()(z.object({}).strict(), 'Principals as the signed chain defines them'),
  'rollout.addPrincipal': channel<TrustPrincipalView>()(
    z.union([
      z.object({ name, roles: z.array(role).min(1), publicKeyPem: z.string().max(16_384), signer: principal }).strict(),
      z.object({ name, roles: z.array(role).min(1), ...keyRef, signer: principal }).strict(),
    ]),
    "Register a principal; a security officer's token signs the record",
  ),
  'rollout.grantRoles': channel<TrustPrincipalView>()(
    z.object({ name, roles: z.array(role), signer: principal }).strict(),
    "Set a principal's roles; a security officer's token signs the record",
  ),
  'rollout.policies': channel<TrustPolicyView[]>()(z.object({}).strict(), 'Approval policies as the signed chain defines them'),
  'rollout.setPolicy': channel<TrustPolicyView>()(
    z
      .object({
        name,
        selector,
        requiredApprovals: z.number().int().min(0).max(16),
        approverRole: role.optional(),
        excludeRequester: z.boolean().optional(),
        signer: principal,
      })
      .strict(),
    "Create or replace an approval policy; a security officer's token signs the record",
  ),
};
