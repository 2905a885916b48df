// Standing intent on the fleet simulator: 1,000 clusters, 10% of them offline on a seeded
// schedule (half for the whole rollout, half returning midway). The approved plan's unmet steps
// are met by the reconciler after each cluster returns — no human action, no new approval, no
// duplicate write. An unpublication while a site is offline is kept as a tombstone and deletes
// on return, and a time-limited publication is removed when it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng, startFleet, type Fleet } from '../../fleet/simulator.ts';
import { softHsmSkipReason } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import type { AuditEntryView, PlanView, RolloutView } from '../../../shared/contract/index.ts';
import type { Reconciler } from '../../../electron/core/rollout/index.ts';
import { makeCore, makeTokens, setUpTeam, value, type Team } from './support.ts';

const skipReason = softHsmSkipReason();
const CLUSTERS = 1000;
const RETRY_INTERVAL = 2000;
const SEED = 17;

const waitFor = async (what: string, ok: () => boolean, timeoutMs: number): Promise<number> => {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
};

describe.skipIf(skipReason !== null)('standing intent on 1,000 clusters with 10% offline', () => {
  let fleet: Fleet;
  let core: Core;
  let team: Team;
  let dir: string;
  let reconciler: Reconciler;
  // The seeded schedule: 100 sites offline, the first 50 for the whole rollout, the others back midway.
  const offline = [...Array(CLUSTERS).keys()]
    .map((i) => ({ i, r: prng(SEED, i, 0, 9) }))
    .sort((a, b) => a.r - b.r)
    .slice(0, CLUSTERS / 10)
    .map(({ i }) => i);
  const whole = offline.slice(0, 50);
  const midway = offline.slice(50);
  const secretOn = (ctx: string, name: string) => fleet.clusterState(ctx).secrets.find((s: any) => s.metadata.name === name) as any;

  beforeAll(async () => {
    fleet = await startFleet({ clusters: CLUSTERS, latency: { fixedMs: 2, jitterMs: 2 } });
    team = await (async () => {
      dir = mkdtempSync(join(tmpdir(), 'tessera-converge-'));
      const hsm = makeTokens();
      core = makeCore(
        dir,
        hsm.module,
        fleet.kubeconfigPath,
        { TESSERA_ACTOR: 'tester' },
        {
          baseIntervalMs: 250,
          maxIntervalMs: RETRY_INTERVAL,
          circuitCooldownMs: 1000,
        },
      );
      core.services.settings.set({ concurrency: 32, requestTimeoutSeconds: 2 });
      return setUpTeam(core, hsm, { requiredApprovals: 1, selector: 'fleet=yes' });
    })();
    await value(core, 'vault.createApp', { name: 'pos', namespace: 'default', targeting: { selector: 'fleet=yes', include: [], exclude: [] } });
    await value(core, 'vault.defineSecret', { app: 'pos', name: 'pos-db', delivery: 'env' });
    await value(core, 'vault.writeVersion', { as: 'sofia', app: 'pos', secret: 'pos-db', values: [{ name: 'PASSWORD', value: 'pos-1' }] });
    const vault = core.services.vault();
    for (const c of fleet.contexts) vault.setCluster(c, { fleet: 'yes' });
    const app = vault.apps.find('pos')!;
    const { transaction } = await import('../../../electron/core/store/index.ts');
    transaction(vault.db, () => {
      for (const c of fleet.contexts) vault.apps.setPublication(app.id, c, 'published', 'tester');
    });
    reconciler = core.services.reconciler();
  }, 600_000);
  afterAll(async () => {
    await reconciler?.stop();
    await core?.close();
    await fleet?.stop();
    team?.hsm.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every approved step is met after its cluster returns: no human action, no new approval, no duplicate write', async () => {
    for (const i of offline) fleet.setOffline(fleet.context(i), true);
    const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['pos'] }, as: 'sofia' });
    expect(plan.approved).toBe(false);
    await value(core, 'rollout.approve', { hash: plan.hash, principal: 'rm1' });
    let returned = false;
    const stop = core.events.subscribe((m) => {
      if (m.event !== 'rollout.progress' || returned) return;
      const p = m.payload as { done: number };
      if (p.done >= CLUSTERS / 3) {
        returned = true;
        for (const i of midway) fleet.setOffline(fleet.context(i), false);
      }
    });
    const started = Date.now();
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash, as: 'sofia' });
    stop();
    expect(returned).toBe(true);
    expect(rollout.status).toBe('failed');
    expect(rollout.waiting?.clusters).toBeGreaterThanOrEqual(whole.length);
    // Unreachable sites failed fast (circuit breaker): four quick attempts when the plan's scan
    // found them gone, then one probe when the rollout came by — not seven slow attempts per call.
    const offlineHits = whole.reduce((n, i) => n + fleet.offlineHits(fleet.context(i)), 0);
    expect(offlineHits).toBeLessThanOrEqual(whole.length * 5);
    console.info(`[converge] first run: ${Date.now() - started} ms, waiting for ${rollout.waiting?.clusters} clusters`);

    reconciler.start();
    await new Promise((r) => setTimeout(r, 1500));
    // The sites offline for the whole rollout are pending with a next attempt.
    const pending = reconciler.pending();
    for (const i of whole) expect(pending.find((p) => p.cluster === fleet.context(i))?.nextAttempt).toMatch(/^\d{4}-/);
    const back = Date.now();
    for (const i of whole) fleet.setOffline(fleet.context(i), false);
    const converged = await waitFor('the fleet to converge', () => core.services.rollouts().unmet().length === 0, 60_000);
    console.info(`[converge] B8: last offline cluster back -> fleet in sync in ${converged} ms (retry interval ${RETRY_INTERVAL} ms)`);
    // One retry interval plus the latency floor: on a loaded 2-core box one reconcile pass (gate,
    // unwrap, 50 clusters, journal and audit) takes seconds of its own.
    expect(converged).toBeLessThan(RETRY_INTERVAL + 8000);
    expect(Date.now() - back).toBeGreaterThan(0);

    const view = await value<RolloutView>(core, 'rollout.get', { rolloutId: rollout.id });
    expect(view.status).toBe('completed');
    expect(view.waiting).toBeUndefined();
    // No new approval and no new plan: the same plan hash, its one approval.
    expect(core.services.rollouts().journal.approvals(plan.hash)).toHaveLength(1);
    expect((await value<PlanView[]>(core, 'rollout.plans', {})).length).toBe(1);
    // Every cluster holds the version, written exactly once: as many writes on each cluster
    // (its resourceVersion counter, which starts at 100 + its index) as on one never offline.
    const writes = (i: number) => Number(fleet.clusterState(fleet.context(i)).resourceVersion) - (100 + i);
    const steady = writes([...Array(CLUSTERS).keys()].find((i) => !offline.includes(i))!);
    expect(steady).toBeGreaterThan(0);
    fleet.contexts.forEach((c, i) => {
      expect(secretOn(c, 'pos-db')?.metadata.annotations['tessera.dev/version-id'], c).toBe(plan.changes[0]!.versionId);
      expect(writes(i), c).toBe(steady);
    });
    const audit = await value<AuditEntryView[]>(core, 'audit.list', { limit: 5000 });
    expect(audit.filter((e) => e.action === 'rollout.reconcile').length).toBeGreaterThan(0);
  }, 600_000);

  it('an unpublication during an outage is kept as a tombstone and deletes when the site returns', async () => {
    const site = fleet.context(offline[0]!);
    const other = fleet.context(offline[1]!);
    fleet.setOffline(site, true);
    fleet.setOffline(other, true);
    const plan = await value<PlanView>(core, 'rollout.publish', { app: 'pos', cluster: site, state: 'unpublished', as: 'sofia' });
    expect(plan.changes.map((a) => [a.cluster, a.action])).toEqual([[site, 'delete']]);
    await value(core, 'rollout.approve', { hash: plan.hash, principal: 'rm1' });
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash, as: 'sofia' });
    expect(rollout.status).toBe('failed');
    expect(secretOn(site, 'pos-db')).toBeDefined();
    fleet.setOffline(site, false);
    await waitFor('the tombstone to be carried out', () => secretOn(site, 'pos-db') === undefined, RETRY_INTERVAL + 10_000);
    // The other offline site still holds its Secret: it was never unpublished.
    fleet.setOffline(other, false);
    expect(secretOn(other, 'pos-db')).toBeDefined();
  }, 120_000);

  it('a time-limited publication is removed when it expires, and the audit log says so', async () => {
    // A temporary site no approval policy covers: the reconciler deprovisions it on its own.
    const site = fleet.context(offline[2]!);
    core.services.vault().setCluster(site, { fleet: 'temp' });
    await value(core, 'vault.createApp', { name: 'kiosk', namespace: 'default', targeting: { selector: '', include: [site], exclude: [] } });
    await value(core, 'vault.defineSecret', { app: 'kiosk', name: 'break-glass', delivery: 'env' });
    await value(core, 'vault.writeVersion', { as: 'sofia', app: 'kiosk', secret: 'break-glass', values: [{ name: 'TOKEN', value: 'bg-1' }] });
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const plan = await value<PlanView>(core, 'rollout.publish', { app: 'kiosk', cluster: site, state: 'published', as: 'sofia', expiresAt });
    expect(plan.approved).toBe(true);
    await value(core, 'rollout.execute', { hash: plan.hash, as: 'sofia' });
    expect(secretOn(site, 'break-glass')).toBeDefined();
    expect(core.services.rollouts().expiries()).toMatchObject([{ app: 'kiosk', cluster: site, expiresAt }]);
    await waitFor('the expired publication to be removed', () => secretOn(site, 'break-glass') === undefined, 3000 + RETRY_INTERVAL + 10_000);
    expect(core.services.rollouts().expiries()).toEqual([]);
    const audit = await value<AuditEntryView[]>(core, 'audit.list', { limit: 5000 });
    expect(audit.find((e) => e.action === 'app.expire' && e.subject === 'app/kiosk')).toBeDefined();
    const app = await value<{ publications: { cluster: string; state: string }[] }>(core, 'vault.app', { app: 'kiosk' });
    expect(app.publications.find((p) => p.cluster === site)?.state).toBe('unpublished');
  }, 120_000);
});
