// The reconciler: approved plans, publications and unpublications are intents that stay until
// they are met. While a desk, `tessera serve` or `tessera reconcile` runs, it retries every unmet
// step of a standing rollout — same plan hash, no new approval — per cluster with exponential
// backoff and jitter, and at once when the cluster's circuit closes again. Time-limited
// publications are unpublished (and deprovisioned) when they expire.
import type { ContractError, PendingCell } from '../../../shared/contract/index.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import type { CircuitState } from '../kube/index.ts';
import type { Logger } from '../log/logger.ts';
import type { UnmetStep } from './journal.ts';
import type { RolloutService } from './rollout-service.ts';

import { isRetriable } from './retriable.ts';

export interface ReconcilerOptions {
  rollouts: Pick<RolloutService, 'unmet' | 'converge' | 'expirePublications'>;
  /** The cluster's circuit breaker, when the kube layer has a client for it. */
  circuit: (cluster: string) => CircuitState | null;
  /**
   * A cheap call (GET /version) that says whether a cluster answers: a cluster that was
   * unreachable is probed first, so a site still offline costs no unwrap, no audit entry and
   * no rollout run.
   */
  probe?: (cluster: string, signal: AbortSignal) => Promise<boolean>;
  log: Logger;
  /** First retry delay; doubles per failed attempt up to maxIntervalMs (the retry interval). */
  baseIntervalMs?: number;
  maxIntervalMs?: number;
  now?: () => number;
  random?: () => number;
}

interface Backoff {
  attempts: number;
  nextAt: number;
  error: ContractError | null;
}

export interface ReconcileReport {
  /** Rollouts run again in this pass, and the clusters they ran on. */
  rollouts: number;
  clusters: number;
  /** Unmet steps met in this pass. */
  met: number;
  /** Clusters still waiting after this pass. */
  waiting: number;
  expired: number;
}

export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly backoff = new Map<string, Backoff>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<ReconcileReport> | null = null;
  private controller = new AbortController();
  private stopped = true;

  constructor(options: ReconcilerOptions) {
    this.options = options;
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private get base(): number {
    return this.options.baseIntervalMs ?? 2_000;
  }

  /** The retry interval: no unmet step waits longer than this between attempts. */
  get maxIntervalMs(): number {
    return this.options.maxIntervalMs ?? 30_000;
  }

  private delay(attempts: number): number {
    const d = Math.min(this.maxIntervalMs, this.base * 2 ** Math.max(0, attempts - 1));
    // Equal jitter: half fixed, half random, so a thousand sites that went down together do not return in step.
    return d / 2 + (this.options.random ?? Math.random)() * (d / 2);
  }

  private due(key: string, cluster: string): boolean {
    const b = this.backoff.get(key);
    const circuit = this.options.circuit(cluster);
    // A closed circuit means the cluster answered a moment ago: try now, whatever the backoff says.
    if (b && circuit?.state === 'closed' && b.error !== null && (b.error.code === 'UNREACHABLE' || b.error.code === 'TIMEOUT')) return true;
    if (b && b.nextAt > this.now) return false;
    return !(circuit?.state === 'open' && (circuit.openUntil ?? 0) > this.now);
  }

  /** One pass: expire publications, then run every due unmet step. Passes never overlap. */
  tick(): Promise<ReconcileReport> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { rollouts: 0, clusters: 0, met: 0, waiting: 0, expired: 0 };
    try {
      report.expired = await this.options.rollouts.expirePublications(this.controller.signal);
    } catch (error) {
      this.options.log.warn('expired publications could not be removed yet', { code: error instanceof TesseraError ? error.code : 'INTERNAL' });
    }
    const unmet = this.options.rollouts.unmet().filter((s) => s.rolloutStatus !== 'running' && isRetriable(s));
    const byRollout = new Map<string, Map<string, UnmetStep[]>>();
    for (const step of unmet) {
      const clusters = byRollout.get(step.rolloutId) ?? new Map<string, UnmetStep[]>();
      clusters.set(step.cluster, [...(clusters.get(step.cluster) ?? []), step]);
      byRollout.set(step.rolloutId, clusters);
    }
    const live = new Set<string>();
    for (const [rolloutId, clusters] of byRollout) {
      for (const cluster of clusters.keys()) live.add(`${rolloutId}\u0000${cluster}`);
      let due = [...clusters.keys()].filter((c) => this.due(`${rolloutId}\u0000${c}`, c));
      if (this.options.probe && due.length > 0) {
        const probe = this.options.probe;
        const answers = await Promise.all(
          due.map(async (c) => {
            const b = this.backoff.get(`${rolloutId}\u0000${c}`);
            const wasDown = b?.error?.code === 'UNREACHABLE' || b?.error?.code === 'TIMEOUT';
            if (!wasDown) return true;
            return probe(c, this.controller.signal).catch(() => false);
          }),
        );
        for (const [i, c] of due.entries()) {
          if (answers[i]) continue;
          const key = `${rolloutId}\u0000${c}`;
          const b = this.backoff.get(key)!;
          const attempts = b.attempts + 1;
          this.backoff.set(key, { ...b, attempts, nextAt: this.now + this.delay(attempts) });
        }
        due = due.filter((_, i) => answers[i]);
      }
      if (due.length === 0 || this.controller.signal.aborted) continue;
      report.rollouts++;
      report.clusters += due.length;
      let steps: { cluster: string; state: string; error: ContractError | null }[] = [];
      let refused: ContractError | null = null;
      try {
        steps = (await this.options.rollouts.converge(rolloutId, due, this.controller.signal)).steps;
      } catch (error) {
        refused = error instanceof TesseraError ? error.toContract() : { code: 'INTERNAL', message: 'The rollout could not be run again.' };
        this.options.log.warn('a standing rollout could not be run again', { rollout: rolloutId, code: refused.code });
      }
      for (const cluster of due) {
        const key = `${rolloutId}\u0000${cluster}`;
        const mine = steps.filter((s) => s.cluster === cluster);
        const open = mine.filter((s) => s.state !== 'done' && s.state !== 'skipped');
        if (!refused && open.length === 0) {
          report.met += clusters.get(cluster)!.length;
          this.backoff.delete(key);
          live.delete(key);
          continue;
        }
        const attempts = (this.backoff.get(key)?.attempts ?? 0) + 1;
        // A refused rollout (labels changed, approvals withdrawn) waits the longest interval: a person must act.
        const wait = refused ? this.maxIntervalMs : this.delay(attempts);
        this.backoff.set(key, { attempts, nextAt: this.now + wait, error: refused ?? open[0]?.error ?? null });
      }
    }
    for (const key of this.backoff.keys()) if (!live.has(key)) this.backoff.delete(key);
    report.waiting = live.size;
    return report;
  }

  /** Every unmet cell with when the reconciler tries it next (for the matrix and the rollout view). */
  pending(): PendingCell[] {
    const out = new Map<string, PendingCell>();
    for (const step of this.options.rollouts.unmet()) {
      const key = `${step.rolloutId}\u0000${step.cluster}`;
      const b = this.backoff.get(key);
      const cell = `${step.app}\u0000${step.cluster}`;
      const retriable = isRetriable(step);
      const next = !retriable ? null : this.stopped ? null : new Date(Math.max(b?.nextAt ?? this.now, this.now)).toISOString();
      const prev = out.get(cell);
      if (prev && prev.nextAttempt !== null && (next === null || prev.nextAttempt <= next)) continue;
      out.set(cell, {
        app: step.app,
        cluster: step.cluster,
        rolloutId: step.rolloutId,
        action: step.action,
        attempts: step.attempts,
        nextAttempt: next,
        error: step.error,
      });
    }
    return [...out.values()].sort((a, b) => (a.app + a.cluster < b.app + b.cluster ? -1 : 1));
  }

  /** When the reconciler tries a rollout's unmet steps next (null when it does not run). */
  nextAttemptOf(rolloutId: string): string | null {
    if (this.stopped) return null;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, b] of this.backoff) if (key.startsWith(`${rolloutId}\u0000`)) next = Math.min(next, b.nextAt);
    return new Date(Number.isFinite(next) ? Math.max(next, this.now) : this.now).toISOString();
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Runs passes until stop(): the next one when the earliest backoff or circuit is due, at most one retry interval apart. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.controller = new AbortController();
    const loop = async () => {
      if (this.stopped) return;
      try {
        await this.tick();
      } catch (error) {
        this.options.log.warn('a reconcile pass failed', { code: error instanceof TesseraError ? error.code : 'INTERNAL' });
      }
      if (this.stopped) return;
      const next = Math.min(...[...this.backoff.values()].map((b) => b.nextAt), this.now + this.maxIntervalMs);
      this.timer = setTimeout(() => void loop(), Math.max(this.base / 4, next - this.now));
      this.timer.unref();
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller.abort();
    await this.ticking?.catch(() => undefined);
  }
}
