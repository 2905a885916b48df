// The rollout journal in SQLite: plans (canonical body, keyed by hash), approvals (signatures),
// rollouts and one row per step. A step is written before it starts (in-flight) and after it
// ends (done or failed), each in its own transaction, so after a crash the journal says exactly
// which steps may have reached a cluster and which did not.
import { bootId } from './boot.ts';
import type { ContractError, PlanAction, RolloutStatus, RolloutStep, RolloutSummary, StepState } from '../../../shared/contract/index.ts';
import type { PlanBody } from '../../../shared/domain/plan.ts';
import { transaction, type Database } from '../store/index.ts';

export interface PlanRow {
  hash: string;
  body: string;
  created_at: string;
  created_by: string;
  scan_id: string | null;
}

export interface ApprovalRow {
  plan_hash: string;
  principal: string;
  key_fingerprint: string;
  algorithm: string;
  signature: Uint8Array;
  created_at: string;
}

interface RolloutRow {
  id: string;
  plan_hash: string;
  requester: string;
  status: RolloutStatus;
  started_at: string;
  finished_at: string | null;
  unwraps: number;
  owner_pid: number;
  owner_boot: string;
}

interface StepRow {
  rollout_id: string;
  idx: number;
  app: string;
  secret: string;
  namespace: string;
  cluster: string;
  action: PlanAction['action'];
  version_id: string | null;
  wiring_hash: string | null;
  state: StepState;
  attempts: number;
  result: string | null;
  resource_version: string | null;
  uid: string | null;
  error: string | null;
  updated_at: string;
}

export interface JournalStep extends RolloutStep {
  idx: number;
}

/** A step of a standing intent not met yet. */
export interface UnmetStep extends JournalStep {
  rolloutId: string;
  planHash: string;
  rolloutStatus: RolloutStatus;
}

const toStep = (r: StepRow): JournalStep => ({
  idx: r.idx,
  app: r.app,
  secret: r.secret,
  namespace: r.namespace,
  cluster: r.cluster,
  action: r.action,
  state: r.state,
  attempts: r.attempts,
  result: r.result,
  resourceVersion: r.resource_version,
  uid: r.uid,
  error: r.error ? (JSON.parse(r.error) as ContractError) : null,
  updatedAt: r.updated_at,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RolloutJournal {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  // ---- plans and approvals ----

  savePlan(hash: string, canonicalBody: string, createdBy: string, scanId: string | null): void {
    this.db
      .prepare('INSERT OR IGNORE INTO rollout_plans (hash, body, created_at, created_by, scan_id) VALUES (?, ?, ?, ?, ?)')
      .run(hash, canonicalBody, new Date().toISOString(), createdBy, scanId);
  }

  plan(hash: string): PlanRow | null {
    return (this.db.prepare('SELECT * FROM rollout_plans WHERE hash = ?').get(hash) as PlanRow | undefined) ?? null;
  }

  plans(limit: number): PlanRow[] {
    return this.db.prepare('SELECT * FROM rollout_plans ORDER BY created_at DESC LIMIT ?').all(limit) as unknown as PlanRow[];
  }

  approvals(hash: string): ApprovalRow[] {
    return this.db.prepare('SELECT * FROM rollout_approvals WHERE plan_hash = ? ORDER BY created_at, principal').all(hash) as unknown as ApprovalRow[];
  }

  saveApproval(a: ApprovalRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO rollout_approvals (plan_hash, principal, key_fingerprint, algorithm, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(a.plan_hash, a.principal, a.key_fingerprint, a.algorithm, a.signature, a.created_at);
  }

  // ---- rollouts and steps ----

  /** The rollout and all its steps (pending), in one transaction. */
  createRollout(id: string, planHash: string, requester: string, body: PlanBody, wiringHash: (a: PlanAction) => string): void {
    const now = new Date().toISOString();
    transaction(this.db, () => {
      this.db
        .prepare('INSERT INTO rollouts (id, plan_hash, requester, status, started_at, unwraps, owner_pid, owner_boot) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
        .run(id, planHash, requester, 'running', now, process.pid, bootId());
      const insert = this.db.prepare(
        'INSERT INTO rollout_steps (rollout_id, idx, app, secret, namespace, cluster, action, version_id, wiring_hash, state, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
      );
      body.actions.forEach((a, idx) => {
        if (a.action === 'nothing') return;
        insert.run(id, idx, a.app, a.secret, a.namespace, a.cluster, a.action, a.versionId, wiringHash(a), 'pending', now);
      });
    });
  }

  /** Takes over a rollout for this process (resume or retry). */
  claim(id: string, requester: string): void {
    this.db
      .prepare("UPDATE rollouts SET status = 'running', finished_at = NULL, requester = ?, owner_pid = ?, owner_boot = ? WHERE id = ?")
      .run(requester, process.pid, bootId(), id);
  }

  stepStarted(id: string, idx: number): void {
    this.db
      .prepare("UPDATE rollout_steps SET state = 'in-flight', attempts = attempts + 1, error = NULL, updated_at = ? WHERE rollout_id = ? AND idx = ?")
      .run(new Date().toISOString(), id, idx);
  }

  stepFinished(
    id: string,
    idx: number,
    outcome: {
      state: 'done' | 'failed' | 'pending';
      result?: string | null;
      resourceVersion?: string | null;
      uid?: string | null;
      error?: ContractError | null;
    },
  ): void {
    this.db
      .prepare('UPDATE rollout_steps SET state = ?, result = ?, resource_version = ?, uid = ?, error = ?, updated_at = ? WHERE rollout_id = ? AND idx = ?')
      .run(
        outcome.state,
        outcome.result ?? null,
        outcome.resourceVersion ?? null,
        outcome.uid ?? null,
        outcome.error ? JSON.stringify(outcome.error) : null,
        new Date().toISOString(),
        id,
        idx,
      );
  }

  addUnwraps(id: string, n: number): void {
    this.db.prepare('UPDATE rollouts SET unwraps = unwraps + ? WHERE id = ?').run(n, id);
  }

  finish(id: string, status: RolloutStatus): void {
    this.db.prepare('UPDATE rollouts SET status = ?, finished_at = ? WHERE id = ?').run(status, new Date().toISOString(), id);
  }

  steps(id: string): JournalStep[] {
    return (this.db.prepare('SELECT * FROM rollout_steps WHERE rollout_id = ? ORDER BY idx').all(id) as unknown as StepRow[]).map(toStep);
  }

  rolloutRow(id: string): RolloutRow | null {
    return (this.db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined) ?? null;
  }

  summary(id: string): RolloutSummary | null {
    const row = this.rolloutRow(id);
    if (!row) return null;
    const counts = this.db.prepare('SELECT state, COUNT(*) AS n FROM rollout_steps WHERE rollout_id = ? GROUP BY state').all(id) as {
      state: StepState;
      n: number;
    }[];
    const n = (s: StepState) => counts.find((c) => c.state === s)?.n ?? 0;
    const total = counts.reduce((sum, c) => sum + c.n, 0);
    return {
      id: row.id,
      planHash: row.plan_hash,
      requester: row.requester,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      unwraps: row.unwraps,
      total,
      done: n('done') + n('skipped'),
      failed: n('failed'),
      pending: n('pending') + n('in-flight'),
    };
  }

  list(limit: number): RolloutSummary[] {
    const ids = this.db.prepare('SELECT id FROM rollouts ORDER BY started_at DESC LIMIT ?').all(limit) as { id: string }[];
    return ids.map((r) => this.summary(r.id)!);
  }

  rolloutsOfPlan(hash: string): string[] {
    return (this.db.prepare('SELECT id FROM rollouts WHERE plan_hash = ? ORDER BY started_at DESC').all(hash) as { id: string }[]).map((r) => r.id);
  }

  /**
   * Rollouts left 'running' by a process that is gone (killed, crashed, machine rebooted) are
   * marked 'interrupted'. A rollout still owned by a live process is left alone.
   */
  markInterrupted(): RolloutSummary[] {
    const running = this.db.prepare("SELECT * FROM rollouts WHERE status = 'running'").all() as unknown as RolloutRow[];
    const found: string[] = [];
    for (const r of running) {
      const gone = r.owner_boot !== bootId() || (r.owner_pid !== process.pid && !alive(r.owner_pid));
      if (!gone) continue;
      this.db.prepare("UPDATE rollouts SET status = 'interrupted' WHERE id = ? AND status = 'running'").run(r.id);
      found.push(r.id);
    }
    return found.map((id) => this.summary(id)!);
  }

  interrupted(): RolloutSummary[] {
    const ids = this.db.prepare("SELECT id FROM rollouts WHERE status = 'interrupted' ORDER BY started_at DESC").all() as { id: string }[];
    return ids.map((r) => this.summary(r.id)!);
  }

  /**
   * Steps not met of rollouts that ended failed, were interrupted or are running again: the
   * standing intents the reconciler converges (it runs only the ones not running). A step is superseded (left out) when a later rollout has a step for
   * the same Secret on the same cluster: the newer intent wins, an old one never rolls it back.
   */
  unmet(): UnmetStep[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, r.plan_hash AS plan_hash, r.status AS rollout_status FROM rollout_steps s JOIN rollouts r ON r.id = s.rollout_id
         WHERE r.status IN ('failed', 'interrupted', 'running') AND s.state IN ('failed', 'pending', 'in-flight')
         AND NOT EXISTS (SELECT 1 FROM rollout_steps s2 JOIN rollouts r2 ON r2.id = s2.rollout_id
           WHERE s2.app = s.app AND s2.secret = s.secret AND s2.namespace = s.namespace AND s2.cluster = s.cluster
           AND (r2.started_at > r.started_at OR (r2.started_at = r.started_at AND r2.id > r.id)))
         ORDER BY r.started_at, s.idx`,
      )
      .all() as unknown as (StepRow & { plan_hash: string; rollout_status: RolloutStatus })[];
    return rows.map((r) => ({ ...toStep(r), rolloutId: r.rollout_id, planHash: r.plan_hash, rolloutStatus: r.rollout_status }));
  }

  /**
   * Secrets of an app Tessera last wrote (not deleted) on a cluster, from the journal: what an
   * unpublication must delete there even while the cluster cannot be scanned (a tombstone).
   */
  lastWritten(app: string, cluster: string): { secret: string; namespace: string }[] {
    const rows = this.db
      .prepare(
        `SELECT s.secret, s.namespace, s.action FROM rollout_steps s
         WHERE s.app = ? AND s.cluster = ? AND s.state = 'done'
         AND s.updated_at = (SELECT MAX(s2.updated_at) FROM rollout_steps s2 WHERE s2.app = s.app AND s2.cluster = s.cluster AND s2.secret = s.secret AND s2.namespace = s.namespace AND s2.state = 'done')`,
      )
      .all(app, cluster) as { secret: string; namespace: string; action: string }[];
    const out = new Map<string, { secret: string; namespace: string }>();
    for (const r of rows) if (r.action !== 'delete') out.set(`${r.namespace}/${r.secret}`, { secret: r.secret, namespace: r.namespace });
    return [...out.values()].sort((a, b) => (a.namespace + a.secret < b.namespace + b.secret ? -1 : 1));
  }

  // ---- time-limited publications ----

  setExpiry(app: string, cluster: string, expiresAt: string, setBy: string): void {
    this.db
      .prepare(
        'INSERT INTO publication_expiry (app, cluster, expires_at, set_by, set_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (app, cluster) DO UPDATE SET expires_at = excluded.expires_at, set_by = excluded.set_by, set_at = excluded.set_at',
      )
      .run(app, cluster, expiresAt, setBy, new Date().toISOString());
  }

  clearExpiry(app: string, cluster: string): void {
    this.db.prepare('DELETE FROM publication_expiry WHERE app = ? AND cluster = ?').run(app, cluster);
  }

  expiries(): { app: string; cluster: string; expiresAt: string; setBy: string; setAt: string }[] {
    return (
      this.db.prepare('SELECT * FROM publication_expiry ORDER BY expires_at, app, cluster').all() as {
        app: string;
        cluster: string;
        expires_at: string;
        set_by: string;
        set_at: string;
      }[]
    ).map((r) => ({ app: r.app, cluster: r.cluster, expiresAt: r.expires_at, setBy: r.set_by, setAt: r.set_at }));
  }

  /** The wiring hash of the last successful write of a cell (for "rewire"). */
  lastWiring(app: string, secret: string, cluster: string): string | null {
    const row = this.db
      .prepare(
        "SELECT wiring_hash FROM rollout_steps WHERE app = ? AND secret = ? AND cluster = ? AND state = 'done' AND action IN ('create', 'update', 'rewire', 'adopt') ORDER BY updated_at DESC LIMIT 1",
      )
      .get(app, secret, cluster) as { wiring_hash: string | null } | undefined;
    return row?.wiring_hash ?? null;
  }
}
