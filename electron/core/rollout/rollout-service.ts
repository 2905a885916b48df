// Rollouts: plan (desired state vs. a scan), approve (token signatures over the plan hash),
// execute (one unwrap per secret version, every cluster through the kube layer's limiter),
// journal every step, resume after a crash, retry what failed. Policies and approvals are
// checked here, in core, against the signed chain, every time something would be written.
import { createHash, randomUUID } from 'node:crypto';
import {
  TesseraError,
  type AppTargeting,
  type ContractError,
  type PlanSummary,
  type PlanView,
  type RolloutClusterStatus,
  type RolloutStatus,
  type RolloutSummary,
  type RolloutView,
  type StepState,
  type TrustPolicyView,
  type TrustPrincipalView,
  type TrustStatus,
  type PublicationExpiry,
  type Role,
  type AdoptReview,
  type AppOwnersView,
} from '../../../shared/contract/index.ts';
import {
  actionCounts,
  approvalMessage,
  canonicalJson,
  executionMessage,
  normalizePlanBody,
  planHashInput,
  type PlanAction,
  type PlanBody,
  type PlanScope,
} from '../../../shared/domain/plan.ts';
import type { AuditDetails, AuditLog } from '../audit/index.ts';
import type { EventBus } from '../events.ts';
import { verifySignature, type SignatureAlgorithm, type TokenSignature } from '../hsm/index.ts';
import type { KubeCatalog, KubeService, SecretSpec, SecretValues } from '../kube/index.ts';
import type { Logger } from '../log/logger.ts';
import type { Database } from '../store/index.ts';
import type { TokenAccess, VaultService } from '../vault/index.ts';
import { evaluate, missingSentence } from './approvals.ts';
import { RolloutJournal, type JournalStep, type UnmetStep } from './journal.ts';
import { isRetriable } from './retriable.ts';
import { computePlan, scopeClusters, wiringHash } from './planner.ts';
import { tokenSigner, type Signer } from './signer.ts';
import { TrustStore, spkiFromPem, type TrustState } from './trust.ts';
import { NO_CHAIN, type AdoptedVersion } from '../vault/index.ts';

/** What rollouts use of the vault. */
export type RolloutVault = Pick<
  VaultService,
  | 'setPublication'
  | 'updateApp'
  | 'hasApp'
  | 'deleteApp'
  | 'versionKeyNames'
  | 'withVersions'
  | 'checkpointIfPrincipal'
  | 'mode'
  | 'versionDigest'
  | 'adoptionCandidates'
>;
/** What rollouts use of the Kubernetes layer. */
export type RolloutKube = Pick<KubeService, 'clusters' | 'scan' | 'lastScan' | 'provisionVersion' | 'deprovisionSecret'>;

export interface RolloutServiceOptions {
  /** The database the journal and the signed chain live in. */
  db: Database;
  audit: AuditLog;
  vault: () => RolloutVault;
  kube: () => RolloutKube;
  catalog: () => KubeCatalog;
  tokens: () => TokenAccess;
  dataDir: string;
  log: Logger;
  events?: EventBus | undefined;
  /** The OS-level actor (TESSERA_ACTOR or the user), for audit when no principal acts. */
  actor: () => string;
  /** The principal acting when a call names none (TESSERA_PRINCIPAL). */
  defaultPrincipal: () => string | undefined;
  signer?: Signer;
}

export interface PlanRequest {
  scope?: Partial<PlanScope> | undefined;
  as?: string | undefined;
  adopt?: { app: string; secret: string; cluster: string }[] | undefined;
  refresh?: boolean | undefined;
  intent?: PlanBody['intent'];
  signal?: AbortSignal | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function asContract(error: unknown): ContractError {
  if (error instanceof TesseraError) return error.toContract();
  return { code: 'INTERNAL', message: `Unexpected failure (${error instanceof Error ? error.name : typeof error}).` };
}

export class RolloutService {
  readonly trust: TrustStore;
  readonly journal: RolloutJournal;
  private readonly options: RolloutServiceOptions;
  private readonly signer: Signer;
  private readonly running = new Map<string, AbortController>();
  /** Set by a running reconciler: when it tries a rollout's unmet steps next. */
  nextAttempt: ((rolloutId: string) => string | null) | null = null;

  constructor(options: RolloutServiceOptions) {
    this.options = options;
    this.signer = options.signer ?? tokenSigner(options.tokens);
    this.journal = new RolloutJournal(options.db);
    this.trust = new TrustStore({ db: options.db, dataDir: options.dataDir, signer: this.signer, audit: options.audit, actor: options.actor });
  }

  private get vault(): RolloutVault {
    return this.options.vault();
  }

  private who(as: string | undefined): string {
    return as ?? this.options.defaultPrincipal() ?? this.options.actor();
  }

  private audit(actor: string, action: string, subject: string, details: AuditDetails = {}, outcome: 'ok' | 'refused' | 'failed' = 'ok'): void {
    this.options.audit.append({ actor, action, subject, outcome, details });
  }

  /** At start-up (and before listing): rollouts a dead process left running become 'interrupted' and are announced. */
  recoverInterrupted(): RolloutSummary[] {
    const found = this.journal.markInterrupted();
    for (const r of found) {
      this.audit(
        this.options.actor(),
        'rollout.interrupted',
        `rollout/${r.id}`,
        { planHash: r.planHash, pending: r.pending, done: r.done, failed: r.failed },
        'failed',
      );
      this.options.log.warn('a rollout was interrupted; resume it with rollout.retry', { rollout: r.id, pending: r.pending });
    }
    if (found.length > 0) this.options.events?.emit('rollout.interrupted', { rollouts: found });
    return found;
  }

  // ---- trust ----

  trustStatus(): TrustStatus {
    const status = this.trust.status();
    let mode: TrustStatus['mode'] = 'signed';
    try {
      mode = this.vault.mode();
    } catch {
      // a broken chain: still "signed" (nothing unsigned is trusted); the problems say what is wrong
    }
    return { ...status, mode };
  }

  async bootstrap(name: string, tokenSerial: string, keyId: string): Promise<TrustPrincipalView> {
    const session = await this.options.tokens().session(tokenSerial);
    const id = keyId.toLowerCase();
    const spki = await session.publicKeyFor(id);
    const view = await this.trust.bootstrap(name, spki, (message) => this.options.tokens().sign(tokenSerial, id, message));
    // A new, empty vault is signed from birth: the empty adoption says every version from here on must be signed.
    // (If this is not reached, the vault stays unadopted until a security officer adopts it.)
    const review = this.adoptReview();
    if (review.recipients.length === 0 && review.versions.length === 0) await this.trust.adopt({ name: 'vault', recipients: [], versions: [] }, name);
    return view;
  }

  owners(): AppOwnersView[] {
    return [...this.trust.state().owners.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([app, o]) => ({ app, owners: o.owners, recordSeq: o.recordSeq, signedBy: o.signedBy }));
  }

  async setOwners(app: string, owners: string[], signer: string): Promise<AppOwnersView> {
    await this.trust.setOwners(app, owners, signer);
    return this.owners().find((o) => o.app === app)!;
  }

  /** The unsigned recipients and versions of an existing vault: what adopt would sign. */
  adoptReview(): AdoptReview {
    const state = this.trust.view();
    if (!state) throw new TesseraError('FORBIDDEN', NO_CHAIN);
    const found = this.vault.adoptionCandidates(state);
    return { adopted: state.adopted, recipients: found.recipients.map((r) => r.review), versions: found.versions };
  }

  /** A security officer signs the review once: the listed recipients and versions are backed from then on. */
  async adopt(signer: string): Promise<AdoptReview> {
    const state = this.trust.view();
    if (!state) throw new TesseraError('FORBIDDEN', NO_CHAIN);
    const found = this.vault.adoptionCandidates(state);
    const bad = found.recipients.find((r) => r.review.problem !== null);
    if (bad)
      throw new TesseraError(
        'TAMPERED',
        `Recipient ${bad.review.fingerprint.slice(0, 16)}… ("${bad.review.label}") cannot be adopted: ${bad.review.problem}. Remove or restore that row first; nothing was signed.`,
        { details: { recipient: bad.review.fingerprint } },
      );
    const versions: AdoptedVersion[] = found.versions.map((v) => ({
      versionId: v.versionId,
      app: v.app,
      secret: v.secret,
      number: v.number,
      contentDigest: v.contentDigest,
    }));
    await this.trust.adopt({ name: 'vault', recipients: found.recipients.map((r) => r.statement), versions }, signer);
    return this.adoptReview();
  }

  async addPrincipal(input: {
    name: string;
    roles: Role[];
    signer: string;
    publicKeyPem?: string | undefined;
    tokenSerial?: string | undefined;
    keyId?: string | undefined;
  }): Promise<TrustPrincipalView> {
    let spki: Buffer;
    if (input.publicKeyPem !== undefined) spki = spkiFromPem(input.publicKeyPem);
    else spki = await (await this.options.tokens().session(input.tokenSerial!)).publicKeyFor(input.keyId!.toLowerCase());
    return this.trust.addPrincipal(input.name, input.roles, spki, input.signer);
  }

  grantRoles(name: string, roles: Role[], signer: string): Promise<TrustPrincipalView> {
    return this.trust.grantRoles(name, roles, signer);
  }

  setPolicy(
    p: { name: string; selector: string; requiredApprovals: number; approverRole?: Role | undefined; excludeRequester?: boolean | undefined },
    signer: string,
  ): Promise<TrustPolicyView> {
    return this.trust.setPolicy(
      {
        name: p.name,
        selector: p.selector,
        requiredApprovals: p.requiredApprovals,
        approverRole: p.approverRole ?? 'release-manager',
        excludeRequester: p.excludeRequester ?? true,
      },
      signer,
    );
  }

  principals(): TrustPrincipalView[] {
    return this.trust.principalViews();
  }

  policies(): TrustPolicyView[] {
    return this.trust.policyViews();
  }

  // ---- plans ----

  async plan(req: PlanRequest): Promise<PlanView> {
    const scope: PlanScope = {
      apps: req.scope?.apps ?? [],
      clusters: req.scope?.clusters ?? [],
      selector: req.scope?.selector ?? '',
      cells: req.scope?.cells ?? [],
    };
    const clusterViews = this.options.kube().clusters();
    const labels = new Map(clusterViews.map((c) => [c.name, c.labels]));
    const inScope = scopeClusters(scope, labels);
    const scan = inScope.length === 0 ? null : req.refresh === false ? this.options.kube().lastScan() : await this.options.kube().scan(inScope, req.signal);
    const publications = await this.options.catalog().publications();
    const body = computePlan({
      intent: req.intent ?? 'sync',
      scope,
      publications,
      clusters: labels,
      scan,
      versionKeys: (id) => this.vault.versionKeyNames(id),
      lastWiring: (app, secret, cluster) => this.journal.lastWiring(app, secret, cluster),
      lastWritten: (app, cluster) => this.journal.lastWritten(app, cluster),
      adopt: req.adopt ?? [],
    });
    // Approvals bind each version's content: replacing a version row under the same id voids them.
    body.actions = body.actions.map((a) => {
      const digest = a.versionId ? this.vault.versionDigest(a.versionId) : null;
      return digest ? { ...a, versionDigest: digest } : a;
    });
    const hash = sha256(planHashInput(body));
    const createdBy = this.who(req.as);
    this.journal.savePlan(hash, canonicalJson(normalizePlanBody(body)), createdBy, scan?.scanId ?? null);
    const counts = actionCounts(body.actions);
    this.audit(createdBy, 'rollout.plan', `plan/${hash}`, {
      intent: body.intent,
      clusters: body.clusters.length,
      create: counts.create,
      update: counts.update,
      rewire: counts.rewire,
      delete: counts.delete,
      adopt: counts.adopt,
      unchanged: counts.nothing,
      scanId: scan?.scanId ?? null,
    });
    return this.getPlan(hash);
  }

  planDeleteApp(app: string, as?: string, refresh?: boolean): Promise<PlanView> {
    return this.plan({ scope: { apps: [app] }, as, refresh, intent: 'delete-app' });
  }

  async publish(app: string, cluster: string, state: 'published' | 'unpublished', as?: string, expiresAt?: string): Promise<PlanView> {
    this.vault.setPublication(app, cluster, state);
    if (state === 'published' && expiresAt !== undefined) this.setExpiry(app, [cluster], expiresAt, as);
    else this.journal.clearExpiry(app, cluster);
    return this.plan({ scope: { apps: [app], clusters: [cluster] }, as });
  }

  // ---- time-limited publications ----

  /** Publications of `app` on `clusters` end at `expiresAt`: the reconciler unpublishes and deprovisions them then. */
  setExpiry(app: string, clusters: readonly string[], expiresAt: string, as?: string): void {
    const at = Date.parse(expiresAt);
    if (Number.isNaN(at)) throw new TesseraError('INVALID_INPUT', '"expiresAt" must be a date and time (ISO 8601).', { field: 'expiresAt' });
    if (at <= Date.now()) throw new TesseraError('INVALID_INPUT', '"expiresAt" must lie in the future.', { field: 'expiresAt' });
    const who = this.who(as);
    const iso = new Date(at).toISOString();
    for (const cluster of clusters) {
      this.journal.setExpiry(app, cluster, iso, who);
      this.audit(who, 'app.publish.expiry', `app/${app}`, { cluster, expiresAt: iso });
    }
  }

  expiries(): PublicationExpiry[] {
    return this.journal.expiries();
  }

  /**
   * Unpublishes every expired publication and deprovisions it through a plan, executed at once
   * where no policy asks for approval (filed for approval otherwise). Audited as app.expire.
   * Returns how many publications expired.
   */
  async expirePublications(signal?: AbortSignal): Promise<number> {
    const now = Date.now();
    const due = this.journal.expiries().filter((e) => Date.parse(e.expiresAt) <= now);
    const byApp = new Map<string, typeof due>();
    for (const e of due) byApp.set(e.app, [...(byApp.get(e.app) ?? []), e]);
    for (const [app, list] of byApp) {
      const clusters = list.map((e) => e.cluster);
      if (this.vault.hasApp(app)) for (const c of clusters) this.vault.setPublication(app, c, 'unpublished');
      for (const e of list) {
        this.journal.clearExpiry(app, e.cluster);
        this.audit(this.options.actor(), 'app.expire', `app/${app}`, { cluster: e.cluster, expiresAt: e.expiresAt, setBy: e.setBy });
      }
      const known = new Set(
        this.options
          .kube()
          .clusters()
          .map((c) => c.name),
      );
      const plan = await this.plan({ scope: { apps: [app], clusters: clusters.filter((c) => known.has(c)) }, as: list[0]!.setBy, signal });
      if (plan.changes.length === 0) continue;
      if (!plan.approved) {
        this.audit(this.options.actor(), 'app.expire.awaiting-approval', `plan/${plan.hash}`, { app, clusters: clusters.length });
        continue;
      }
      await this.executeStanding(plan.hash, list[0]!.setBy, signal);
    }
    return due.length;
  }

  /** Executes a plan on behalf of whoever set the standing intent (an expiry), with every check of the gate but the requester's token proof. */
  private async executeStanding(hash: string, requester: string, signal?: AbortSignal): Promise<RolloutView> {
    const { body } = await this.gate(hash, undefined, 'rollout.execute', { requester });
    const id = randomUUID();
    this.journal.createRollout(id, hash, requester, body, (a) => wiringHash(a.wiring));
    this.audit(requester, 'rollout.start', `rollout/${id}`, { planHash: hash, steps: this.journal.steps(id).length, signed: false, standing: true });
    this.options.events?.emit('rollout.state', this.journal.summary(id)!);
    return this.run(id, body, requester, signal);
  }

  async retarget(app: string, targeting: AppTargeting, as?: string): Promise<PlanView> {
    this.vault.updateApp(app, { targeting });
    return this.plan({ scope: { apps: [app] }, as });
  }

  /** The stored plan, checked against its hash (an edited row is TAMPERED). */
  private loadPlan(hash: string): { body: PlanBody; createdBy: string; createdAt: string; scanId: string | null } {
    const row = this.journal.plan(hash);
    if (!row) throw new TesseraError('NOT_FOUND', `There is no plan ${hash.slice(0, 12)}…. Make the plan first (tessera plan).`, { field: 'hash' });
    let body: PlanBody;
    try {
      body = JSON.parse(row.body) as PlanBody;
    } catch {
      throw new TesseraError('TAMPERED', `Plan ${hash.slice(0, 12)}… is unreadable in the database.`);
    }
    if (sha256(planHashInput(body)) !== hash || canonicalJson(normalizePlanBody(body)) !== row.body) {
      throw new TesseraError(
        'TAMPERED',
        `Plan ${hash.slice(0, 12)}… was changed in the database after it was made: its actions no longer hash to ${hash.slice(0, 12)}…. Its approvals do not apply; make a new plan.`,
        {
          details: { plan: hash },
        },
      );
    }
    return { body, createdBy: row.created_by, createdAt: row.created_at, scanId: row.scan_id };
  }

  private requesters(createdBy: string, as: string | undefined): string[] {
    return [...new Set([createdBy, ...(as ? [as] : [])])];
  }

  getPlan(hash: string, executor?: string): PlanView {
    const plan = this.loadPlan(hash);
    const state = this.trust.state();
    const { requirements, approvals } = evaluate(hash, plan.body, this.journal.approvals(hash), state, this.requesters(plan.createdBy, executor));
    const changes = plan.body.actions.filter((a) => a.action !== 'nothing');
    const tampered = [
      ...new Set(
        plan.body.actions
          .filter((a) => a.versionId && a.versionDigest && this.vault.versionDigest(a.versionId) !== a.versionDigest)
          .map((a) => `version ${a.versionId} of ${a.app}/${a.secret}: its content is not what this plan was made and approved for`),
      ),
    ];
    return {
      hash,
      createdAt: plan.createdAt,
      createdBy: plan.createdBy,
      intent: plan.body.intent,
      counts: actionCounts(plan.body.actions),
      clusters: plan.body.clusters.length,
      ...planReach(plan.body),
      approved: tampered.length === 0 && requirements.every((r) => r.satisfied),
      rollouts: this.journal.rolloutsOfPlan(hash),
      body: plan.body,
      changes,
      requirements,
      approvals,
      scanId: plan.scanId,
      tampered,
    };
  }

  plans(limit = 100): PlanSummary[] {
    return this.journal.plans(limit).map((row) => {
      try {
        const { body: _body, changes: _changes, requirements: _r, approvals: _a, scanId: _s, tampered: _t, ...summary } = this.getPlan(row.hash);
        return summary;
      } catch {
        return {
          hash: row.hash,
          createdAt: row.created_at,
          createdBy: row.created_by,
          intent: 'sync' as const,
          counts: actionCounts([]),
          clusters: 0,
          apps: [],
          changedClusters: 0,
          env: null,
          approved: false,
          rollouts: [],
        };
      }
    });
  }

  // ---- approvals ----

  async approve(hash: string, principal: string, external?: { algorithm: SignatureAlgorithm; value: string }): Promise<PlanView> {
    const plan = this.loadPlan(hash);
    const state = this.trust.verified();
    const p = state.principals.get(principal);
    const refuse = (code: 'FORBIDDEN' | 'NOT_FOUND', message: string): never => {
      this.audit(principal, 'rollout.approve', `plan/${hash}`, { reason: message }, 'refused');
      throw new TesseraError(code, message, { details: { principal } });
    };
    if (!p) return refuse('NOT_FOUND', `There is no principal named "${principal}" in the signed chain.`);
    const roles = new Set<Role>(p.roles);
    const policies = evaluate(hash, plan.body, [], state, []).requirements;
    const roleNeeded = policies.length > 0 ? [...new Set(policies.map((r) => r.approverRole))] : (['release-manager'] as Role[]);
    if (!roleNeeded.some((r) => roles.has(r))) {
      return refuse(
        'FORBIDDEN',
        `"${principal}" does not hold the ${roleNeeded.join(' or ')} role this plan's policies ask approvers for; the approval was not recorded.`,
      );
    }
    const excluding = policies.filter((r) => r.excludeRequester && roles.has(r.approverRole));
    if (plan.createdBy === principal && excluding.length > 0) {
      return refuse(
        'FORBIDDEN',
        `"${principal}" requested this plan, and policy ${excluding.map((r) => `"${r.policy}"`).join(', ')} does not let the requester approve their own plan.`,
      );
    }
    let signature: TokenSignature;
    if (external) signature = { algorithm: external.algorithm, signature: Buffer.from(external.value, 'base64'), keyFingerprint: p.keyFingerprint };
    else signature = await this.signer.sign(p.keyFingerprint, `principal "${principal}"`, Buffer.from(approvalMessage(hash), 'utf8'));
    if (
      signature.keyFingerprint !== p.keyFingerprint ||
      !verifySignature(p.spkiDer, signature.algorithm, Buffer.from(approvalMessage(hash), 'utf8'), signature.signature)
    ) {
      return refuse(
        'FORBIDDEN',
        `The signature does not verify over plan ${hash.slice(0, 12)}… with "${principal}"'s registered key (was it made for another plan?); the approval was not recorded.`,
      );
    }
    this.journal.saveApproval({
      plan_hash: hash,
      principal,
      key_fingerprint: p.keyFingerprint,
      algorithm: signature.algorithm,
      signature: signature.signature,
      created_at: new Date().toISOString(),
    });
    this.audit(principal, 'rollout.approve', `plan/${hash}`, { keyFingerprint: p.keyFingerprint, algorithm: signature.algorithm, signed: true });
    await this.vault.checkpointIfPrincipal(principal);
    return this.getPlan(hash);
  }

  // ---- execution ----

  /** Everything checked before a write: plan integrity, the signed chain, fresh labels, approvals, the requester's proof. */
  private async gate(
    hash: string,
    as: string | undefined,
    what: string,
    /** Converging a rollout a proven requester already started: its requester, whose proof was given then. */
    standing?: { requester: string },
  ): Promise<{ body: PlanBody; requester: string; trust: TrustState }> {
    const actor = this.who(as);
    try {
      const plan = this.loadPlan(hash);
      const trust = this.trust.verified();
      const current = new Map(
        this.options
          .kube()
          .clusters()
          .map((c) => [c.name, c.labels]),
      );
      for (const c of plan.body.clusters) {
        const now = current.get(c.name);
        if (!now) throw new TesseraError('CONFLICT', `Cluster "${c.name}" of plan ${hash.slice(0, 12)}… is no longer known; make a new plan.`);
        if (canonicalJson(now) !== canonicalJson(c.labels))
          throw new TesseraError(
            'CONFLICT',
            `The labels of cluster "${c.name}" changed since plan ${hash.slice(0, 12)}… was made, so other policies may apply; make a new plan.`,
          );
      }
      const principal = standing ? standing.requester : (as ?? this.options.defaultPrincipal());
      const { requirements } = evaluate(hash, plan.body, this.journal.approvals(hash), trust, this.requesters(plan.createdBy, principal));
      const needsRequester = requirements.some((r) => r.required > 0);
      if (standing) {
        // The approvals are checked again below, against the signed chain as it is now.
      } else if (principal !== undefined) {
        const p = trust.principals.get(principal);
        if (!p) throw new TesseraError('NOT_FOUND', `There is no principal named "${principal}" in the signed chain.`, { field: 'as' });
        // The requester proves who they are: their token signs the execution of this plan.
        const message = Buffer.from(executionMessage(hash), 'utf8');
        const proof = await this.signer.sign(p.keyFingerprint, `principal "${principal}"`, message);
        if (!verifySignature(p.spkiDer, proof.algorithm, message, proof.signature))
          throw new TesseraError('FORBIDDEN', `"${principal}"'s token did not produce a valid signature.`);
      } else if (needsRequester) {
        throw new TesseraError(
          'FORBIDDEN',
          'This plan falls under approval policies: name the principal executing it (as, --as or TESSERA_PRINCIPAL) and unlock their token, so the requester can be told apart from the approvers.',
          { field: 'as' },
        );
      }
      const missing = requirements.filter((r) => !r.satisfied);
      if (missing.length > 0) {
        throw new TesseraError('APPROVAL_REQUIRED', `Plan ${hash.slice(0, 12)}… is not approved: ${missingSentence(missing)}.`, {
          details: { plan: hash, missing: missing.reduce((n, r) => n + r.required - r.given.length, 0), policies: missing.map((r) => r.policy).join(',') },
        });
      }
      return { body: plan.body, requester: principal ?? actor, trust };
    } catch (error) {
      if (error instanceof TesseraError)
        this.audit(actor, what, `plan/${hash}`, { code: error.code, reason: error.message }, error.code === 'TAMPERED' ? 'failed' : 'refused');
      throw error;
    }
  }

  async execute(hash: string, as?: string, signal?: AbortSignal): Promise<RolloutView> {
    const { body, requester } = await this.gate(hash, as, 'rollout.execute');
    const id = randomUUID();
    this.journal.createRollout(id, hash, requester, body, (a) => wiringHash(a.wiring));
    this.audit(requester, 'rollout.start', `rollout/${id}`, {
      planHash: hash,
      steps: this.journal.steps(id).length,
      signed: as !== undefined || this.options.defaultPrincipal() !== undefined,
    });
    this.options.events?.emit('rollout.state', this.journal.summary(id)!);
    return this.run(id, body, requester, signal);
  }

  /** Resumes an interrupted rollout or retries the failed steps of a finished one. Steps already done are not repeated. */
  async retry(id: string, as?: string, signal?: AbortSignal): Promise<RolloutView> {
    this.recoverInterrupted();
    const row = this.journal.rolloutRow(id);
    if (!row) throw new TesseraError('NOT_FOUND', `There is no rollout ${id}.`, { field: 'rolloutId' });
    if (row.status === 'running') throw new TesseraError('CONFLICT', `Rollout ${id} is running (process ${row.owner_pid}); cancel it or wait.`);
    const { body, requester } = await this.gate(row.plan_hash, as, 'rollout.retry');
    this.journal.claim(id, requester);
    this.audit(requester, row.status === 'interrupted' ? 'rollout.resume' : 'rollout.retry', `rollout/${id}`, { planHash: row.plan_hash });
    return this.run(id, body, requester, signal);
  }

  cancel(id: string): { cancelled: boolean } {
    const controller = this.running.get(id);
    if (!controller) return { cancelled: false };
    controller.abort();
    return { cancelled: true };
  }

  /**
   * Converges a standing intent: runs again the unmet steps of a rollout on the given clusters,
   * for the same plan hash, without a new approval and without the requester at the keyboard.
   * Everything else the gate checks (plan integrity, the signed chain, labels, approvals) is
   * checked again. Called by the reconciler.
   */
  async converge(id: string, clusters: readonly string[], signal?: AbortSignal): Promise<RolloutView> {
    this.recoverInterrupted();
    const row = this.journal.rolloutRow(id);
    if (!row) throw new TesseraError('NOT_FOUND', `There is no rollout ${id}.`, { field: 'rolloutId' });
    if (row.status === 'running') throw new TesseraError('CONFLICT', `Rollout ${id} is running (process ${row.owner_pid}).`);
    const { body, requester } = await this.gate(row.plan_hash, undefined, 'rollout.reconcile', { requester: row.requester });
    this.journal.claim(id, requester);
    this.audit(requester, 'rollout.reconcile', `rollout/${id}`, { planHash: row.plan_hash, clusters: clusters.length });
    return this.run(id, body, requester, signal, new Set(clusters));
  }

  /** Unmet steps of standing rollouts (failed, interrupted), not superseded by a later rollout of the same cell. */
  unmet(): UnmetStep[] {
    return this.journal.unmet();
  }

  private async run(id: string, body: PlanBody, requester: string, outer?: AbortSignal, only?: ReadonlySet<string>): Promise<RolloutView> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    this.running.set(id, controller);
    const signal = controller.signal;
    const kube = this.options.kube();
    const todo = this.journal.steps(id).filter((s) => s.state !== 'done' && s.state !== 'skipped' && (only === undefined || only.has(s.cluster)));
    const all = this.journal.summary(id)!;
    let done = all.done;
    let failed = 0;
    const total = all.total;

    const emit = (step: JournalStep, state: StepState, error: ContractError | null) =>
      this.options.events?.emit('rollout.progress', {
        rolloutId: id,
        cluster: step.cluster,
        app: step.app,
        secret: step.secret,
        action: step.action,
        state,
        error,
        done,
        failed,
        total,
      });

    const runStep = async (step: JournalStep, work: () => Promise<{ action: string; resourceVersion: string | null; uid: string | null }>) => {
      if (signal.aborted) return;
      this.journal.stepStarted(id, step.idx);
      emit(step, 'in-flight', null);
      try {
        const outcome = await work();
        this.journal.stepFinished(id, step.idx, { state: 'done', result: outcome.action, resourceVersion: outcome.resourceVersion, uid: outcome.uid });
        done++;
        this.audit(requester, 'rollout.step', `rollout/${id}/${step.app}/${step.secret}@${step.cluster}`, {
          action: step.action,
          result: outcome.action,
          resourceVersion: outcome.resourceVersion,
        });
        emit(step, 'done', null);
      } catch (error) {
        const contract = asContract(error);
        const stopped = contract.code === 'CANCELLED';
        // A cancelled step goes back to pending: it may or may not have reached the cluster, and applying again is idempotent.
        this.journal.stepFinished(id, step.idx, { state: stopped ? 'pending' : 'failed', error: contract });
        if (!stopped) {
          failed++;
          this.audit(
            requester,
            'rollout.step',
            `rollout/${id}/${step.app}/${step.secret}@${step.cluster}`,
            { action: step.action, code: contract.code },
            'failed',
          );
        }
        emit(step, stopped ? 'pending' : 'failed', contract);
      }
    };

    try {
      const writes = new Map<string, { step: JournalStep; action: PlanAction }[]>();
      const deletes: { step: JournalStep; action: PlanAction }[] = [];
      for (const step of todo) {
        const action = body.actions[step.idx]!;
        if (action.action === 'delete') deletes.push({ step, action });
        else if (action.versionId) writes.set(action.versionId, [...(writes.get(action.versionId) ?? []), { step, action }]);
      }
      let unwraps = 0;
      if (writes.size > 0 && !signal.aborted) {
        try {
          // Exactly one unwrap per version: every cluster is written inside that version's callback.
          const digests = new Map<string, string>();
          for (const [versionId, list] of writes) {
            const digest = list.find((w) => w.action.versionDigest)?.action.versionDigest;
            if (digest) digests.set(versionId, digest);
          }
          await this.vault.withVersions(
            [...writes.keys()],
            async (opened) => {
              unwraps++;
              this.journal.addUnwraps(id, 1);
              const values: SecretValues = { versionId: opened.version.id, keys: new Map(opened.entries.map((e) => [e.name, e.value])) };
              try {
                await Promise.all(
                  writes.get(opened.version.id)!.map(({ step, action }) => {
                    const spec: SecretSpec = {
                      app: action.app,
                      name: action.secret,
                      namespace: action.namespace,
                      createNamespace: action.createNamespace,
                      versionId: opened.version.id,
                      keys: [...opened.version.keyNames].sort(),
                      delivery: action.wiring?.delivery ?? opened.secret.delivery,
                      mountPath: action.wiring?.mountPath ?? null,
                      workload: action.wiring?.workload
                        ? { kind: action.wiring.workload.kind, name: action.wiring.workload.name, container: action.wiring.workload.container ?? undefined }
                        : null,
                    };
                    return runStep(step, () =>
                      kube.provisionVersion(action.cluster, spec, values, {
                        signal,
                        principal: requester,
                        overwrite: action.overwrite,
                        adopt: action.action === 'adopt',
                      }),
                    );
                  }),
                );
              } finally {
                for (const b of values.keys.values()) b.fill(0);
              }
            },
            digests,
          );
        } catch (error) {
          // The values could not be opened (token locked, tampered version): the write steps not yet run fail alike.
          const contract = asContract(error);
          const current = new Map(this.journal.steps(id).map((s) => [s.idx, s]));
          for (const list of writes.values()) {
            for (const { step } of list) {
              const now = current.get(step.idx);
              if (now && (now.state === 'done' || now.state === 'failed')) continue;
              this.journal.stepFinished(id, step.idx, { state: contract.code === 'CANCELLED' ? 'pending' : 'failed', error: contract });
              if (contract.code !== 'CANCELLED') failed++;
              emit(step, contract.code === 'CANCELLED' ? 'pending' : 'failed', contract);
            }
          }
        }
      }
      await Promise.all(
        deletes.map(({ step, action }) =>
          runStep(step, () =>
            kube.deprovisionSecret(
              action.cluster,
              {
                app: action.app,
                name: action.secret,
                namespace: action.namespace,
                workload: action.wiring?.workload
                  ? { kind: action.wiring.workload.kind, name: action.wiring.workload.name, container: action.wiring.workload.container ?? undefined }
                  : null,
              },
              signal,
            ),
          ),
        ),
      );
      const summary = this.journal.summary(id)!;
      let status: RolloutStatus = signal.aborted ? 'cancelled' : summary.failed > 0 || summary.pending > 0 ? 'failed' : 'completed';
      if (status === 'completed' && body.intent === 'delete-app') {
        for (const app of body.scope.apps) {
          try {
            if (this.vault.hasApp(app)) this.vault.deleteApp(app);
          } catch (error) {
            this.options.log.warn('the app could not be deleted after its Secrets were', {
              app,
              code: error instanceof TesseraError ? error.code : 'INTERNAL',
            });
            status = 'failed';
          }
        }
      }
      this.journal.finish(id, status);
      const final = this.journal.summary(id)!;
      this.audit(
        requester,
        'rollout.finish',
        `rollout/${id}`,
        { status, done: final.done, failed: final.failed, pending: final.pending, unwrapsThisRun: unwraps, unwraps: final.unwraps },
        status === 'completed' ? 'ok' : 'failed',
      );
      this.options.events?.emit('rollout.state', final);
      await this.vault.checkpointIfPrincipal(requester);
      return this.get(id);
    } finally {
      outer?.removeEventListener('abort', onAbort);
      this.running.delete(id);
    }
  }

  // ---- history ----

  list(limit = 100): RolloutSummary[] {
    this.recoverInterrupted();
    return this.journal.list(limit);
  }

  interrupted(): RolloutSummary[] {
    this.recoverInterrupted();
    return this.journal.interrupted();
  }

  get(id: string): RolloutView {
    const summary = this.journal.summary(id);
    if (!summary) throw new TesseraError('NOT_FOUND', `There is no rollout ${id}.`, { field: 'rolloutId' });
    const steps = this.journal.steps(id);
    const byCluster = new Map<string, JournalStep[]>();
    for (const s of steps) byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s]);
    const clusters: RolloutClusterStatus[] = [...byCluster.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([cluster, list]) => {
        const failedSteps = list.filter((s) => s.state === 'failed');
        const doneSteps = list.filter((s) => s.state === 'done' || s.state === 'skipped');
        const state: StepState =
          failedSteps.length > 0 ? 'failed' : doneSteps.length === list.length ? 'done' : list.some((s) => s.state === 'in-flight') ? 'in-flight' : 'pending';
        return { cluster, state, steps: list.length, done: doneSteps.length, failed: failedSteps.length, error: failedSteps[0]?.error ?? null };
      });
    const waitingClusters = new Set(
      this.journal
        .unmet()
        .filter((u) => u.rolloutId === id && u.rolloutStatus !== 'running' && isRetriable(u))
        .map((u) => u.cluster),
    );
    const next = this.nextAttempt?.(id) ?? null;
    return {
      ...summary,
      clusters,
      steps: steps.map(({ idx: _idx, ...s }) => s),
      ...(waitingClusters.size > 0 ? { waiting: { clusters: waitingClusters.size, nextAttempt: next } } : {}),
    };
  }
}

/** What a plan reaches, for naming it by what it does: its apps, the clusters it changes and the env they share. */
function planReach(body: PlanBody): { apps: string[]; changedClusters: number; env: string | null } {
  const writes = body.actions.filter((a) => a.action !== 'nothing');
  const apps = [...new Set((writes.length > 0 ? writes : body.actions).map((a) => a.app))].sort();
  const touched = new Set(writes.map((a) => a.cluster));
  const envs = new Set(body.clusters.filter((c) => touched.has(c.name)).map((c) => c.labels.env ?? ''));
  const env = envs.size === 1 ? [...envs][0]! : '';
  return { apps, changedClusters: touched.size, env: env === '' ? null : env };
}
