// Rollouts on two real clusters (kube-apiserver + etcd) with real SoftHSM2 tokens: a security
// officer and two release managers. Plans are approved by token signatures; the policy needs two
// release managers other than the requester; every refusal is checked, and so is tampering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { findControlPlaneAssets, startControlPlane, type ControlPlane } from '../../controlplane/harness.ts';
import { softHsmSkipReason } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import { approvalMessage } from '../../../shared/domain/plan.ts';
import type { AuditVerification, PlanView, RolloutView, ScanResult } from '../../../shared/contract/index.ts';
import { makeCore, makeTokens, refusal, setUpTeam, value, type Team } from './support.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : softHsmSkipReason();
if (skipReason) console.warn(`[rollout real-cluster.test] skipped: ${skipReason}`);

describe.skipIf(skipReason !== null && skipReason !== undefined)('rollouts on real clusters with token approvals', () => {
  let cp: ControlPlane;
  let core: Core;
  let team: Team;
  let dir: string;
  let one: string;
  let two: string;
  const raw = () => {
    const db = new DatabaseSync(join(dir, 'tessera.db'));
    db.exec('PRAGMA busy_timeout = 5000');
    return db;
  };

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 2 });
    one = cp.clusters[0]!.contexts.admin;
    two = cp.clusters[1]!.contexts.admin;
    dir = mkdtempSync(join(tmpdir(), 'tessera-rollout-'));
    const hsm = makeTokens();
    core = makeCore(dir, hsm.module, cp.kubeconfigPath);
    team = await setUpTeam(core, hsm, { requiredApprovals: 2, selector: 'env=prod' });
    for (const c of [one, two]) await value(core, 'kube.setLabels', { cluster: c, set: { env: 'prod' } });
    await value(core, 'vault.createApp', { name: 'billing', namespace: 'payments', targeting: { selector: 'env=prod', include: [], exclude: [] } });
    await value(core, 'vault.defineSecret', { app: 'billing', name: 'billing-db', delivery: 'env', createNamespace: true });
    await value(core, 'vault.writeVersion', {
      as: 'sofia',
      app: 'billing',
      secret: 'billing-db',
      values: [
        { name: 'PASSWORD', value: 'pw-1' },
        { name: 'USER', value: 'billing' },
      ],
    });
    // Desired where published and targeted: published on both, targeted by env=prod.
    for (const c of [one, two]) await value(core, 'vault.setPublication', { app: 'billing', cluster: c, state: 'published' });
  }, 300_000);
  afterAll(async () => {
    await core?.close();
    await cp?.stop();
    team?.hsm.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let first: PlanView;

  it('plans a create per targeted cluster, with key names and a hash, and needs two approvals', async () => {
    first = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['billing'] }, as: 'sofia' });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/u);
    expect(first.changes.map((a) => [a.cluster, a.action, a.keys.added])).toEqual([
      [one, 'create', ['PASSWORD', 'USER']],
      [two, 'create', ['PASSWORD', 'USER']],
    ]);
    expect(JSON.stringify(first.body)).not.toContain('pw-1');
    expect(first.requirements).toMatchObject([{ policy: 'prod', required: 2, given: [], satisfied: false }]);
    // Planning again from the same state gives the same hash.
    const again = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['billing'] }, as: 'sofia' });
    expect(again.hash).toBe(first.hash);
  });

  it('refuses to execute with no approval, and with one of two (APPROVAL_REQUIRED naming what is missing)', async () => {
    expect((await refusal(core, 'rollout.execute', { hash: first.hash, as: 'sofia' })).code).toBe('APPROVAL_REQUIRED');
    await value(core, 'rollout.approve', { hash: first.hash, principal: 'rm1' });
    const refused = await refusal(core, 'rollout.execute', { hash: first.hash, as: 'sofia' });
    expect(refused.code).toBe('APPROVAL_REQUIRED');
    expect(refused.message).toContain('policy "prod"');
    expect(refused.message).toContain('has 1 (rm1)');
  });

  it('refuses an approval by a principal without the release-manager role', async () => {
    const r = await refusal(core, 'rollout.approve', { hash: first.hash, principal: 'oscar' });
    expect(r.code).toBe('FORBIDDEN');
    expect(r.message).toContain('release-manager');
  });

  it("refuses the requester's own approval where the policy excludes it", async () => {
    const r = await refusal(core, 'rollout.approve', { hash: first.hash, principal: 'sofia' });
    expect(r.code).toBe('FORBIDDEN');
    expect(r.message).toContain('requested this plan');
  });

  it('refuses a signature made over another plan', async () => {
    const other = 'f'.repeat(64);
    const sig = await core.services.tokens().sign(team.serial.rm2, team.keys.rm2.keyId, Buffer.from(approvalMessage(other)));
    const r = await refusal(core, 'rollout.approve', {
      hash: first.hash,
      principal: 'rm2',
      signature: { algorithm: sig.algorithm, value: sig.signature.toString('base64') },
    });
    expect(r.code).toBe('FORBIDDEN');
    expect(r.message).toContain('does not verify');
  });

  it('executes after two approvals: one unwrap, every targeted cell in sync', async () => {
    const approved = await value<PlanView>(core, 'rollout.approve', { hash: first.hash, principal: 'rm2' });
    expect(approved.approved).toBe(true);
    expect(approved.requirements[0]!.given.sort()).toEqual(['rm1', 'rm2']);
    const progress: string[] = [];
    const stop = core.events.subscribe((m) => {
      if (m.event === 'rollout.progress')
        progress.push(`${(m.payload as { cluster: string; state: string }).cluster}:${(m.payload as { state: string }).state}`);
    });
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: first.hash, as: 'sofia' });
    stop();
    expect(rollout.status).toBe('completed');
    expect(rollout.unwraps).toBe(1);
    expect(rollout.clusters.map((c) => [c.cluster, c.state])).toEqual([
      [one, 'done'],
      [two, 'done'],
    ]);
    expect(progress).toEqual(expect.arrayContaining([`${one}:done`, `${two}:done`]));
    const scan = await value<ScanResult>(core, 'kube.scan', {});
    expect(scan.cells.filter((c) => c.app === 'billing' && [one, two].includes(c.cluster)).map((c) => c.state)).toEqual(['in-sync', 'in-sync']);
  });

  let second: PlanView;

  it('a change after approval is a new plan: its hash differs and it has no approvals', async () => {
    await value(core, 'vault.writeVersion', {
      as: 'sofia',
      app: 'billing',
      secret: 'billing-db',
      values: [
        { name: 'PASSWORD', value: 'pw-2' },
        { name: 'TOKEN', value: 't-2' },
      ],
    });
    second = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['billing'] }, as: 'sofia' });
    expect(second.hash).not.toBe(first.hash);
    expect(second.approvals).toEqual([]);
    expect(second.changes.map((a) => [a.action, a.keys])).toEqual([
      ['update', { added: ['TOKEN'], removed: ['USER'], kept: ['PASSWORD'] }],
      ['update', { added: ['TOKEN'], removed: ['USER'], kept: ['PASSWORD'] }],
    ]);
    expect((await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' })).code).toBe('APPROVAL_REQUIRED');
  });

  it('a plan edited in the database after approval is refused (TAMPERED)', async () => {
    await value(core, 'rollout.approve', { hash: second.hash, principal: 'rm1' });
    await value(core, 'rollout.approve', { hash: second.hash, principal: 'rm2' });
    const db = raw();
    const row = db.prepare('SELECT body FROM rollout_plans WHERE hash = ?').get(second.hash) as { body: string };
    db.prepare('UPDATE rollout_plans SET body = ? WHERE hash = ?').run(row.body.replace(`"cluster":"${two}"`, `"cluster":"${one}"`), second.hash);
    expect((await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' })).code).toBe('TAMPERED');
    db.prepare('UPDATE rollout_plans SET body = ? WHERE hash = ?').run(row.body, second.hash);
    db.close();
  });

  it('a principal row inserted directly in the database is rejected at execution', async () => {
    const db = raw();
    const rm1 = db.prepare("SELECT signing_spki, key_fingerprint FROM principals WHERE name = 'rm1'").get() as {
      signing_spki: Uint8Array;
      key_fingerprint: string;
    };
    db.prepare('INSERT INTO principals (name, roles, signing_spki, key_fingerprint, created_at) VALUES (?, ?, ?, ?, ?)').run(
      'mallory',
      '["release-manager","security-officer"]',
      rm1.signing_spki,
      rm1.key_fingerprint,
      new Date().toISOString(),
    );
    const r = await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' });
    expect(r.code).toBe('TAMPERED');
    expect(r.message).toContain('principal "mallory"');
    db.prepare("DELETE FROM principals WHERE name = 'mallory'").run();
    // An edited role is caught the same way.
    db.prepare('UPDATE principals SET roles = \'["release-manager","security-officer"]\' WHERE name = \'oscar\'').run();
    expect((await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' })).code).toBe('TAMPERED');
    db.prepare("UPDATE principals SET roles = '[\"operator\"]' WHERE name = 'oscar'").run();
    db.close();
  });

  it('a policy row edited or deleted directly in the database is rejected at execution', async () => {
    const db = raw();
    db.prepare("UPDATE approval_policies SET required_approvals = 0 WHERE name = 'prod'").run();
    const r = await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' });
    expect(r.code).toBe('TAMPERED');
    expect(r.message).toContain('policy "prod"');
    db.prepare("UPDATE approval_policies SET required_approvals = 2 WHERE name = 'prod'").run();
    db.prepare("DELETE FROM approval_policies WHERE name = 'prod'").run();
    expect((await refusal(core, 'rollout.execute', { hash: second.hash, as: 'sofia' })).code).toBe('TAMPERED');
    db.prepare(
      "INSERT INTO approval_policies (name, selector, required_approvals, approver_role, exclude_requester) VALUES ('prod', 'env=prod', 2, 'release-manager', 1)",
    ).run();
    db.close();
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: second.hash, as: 'sofia' });
    expect(rollout.status).toBe('completed');
    expect(rollout.steps.map((s) => s.result)).toEqual(['updated', 'updated']);
  });

  it('unpublishing the app from one cluster plans and executes its removal there and nowhere else', async () => {
    const plan = await value<PlanView>(core, 'rollout.publish', { app: 'billing', cluster: one, state: 'unpublished', as: 'sofia' });
    expect(plan.changes.map((a) => [a.cluster, a.action, a.secret])).toEqual([[one, 'delete', 'billing-db']]);
    await value(core, 'rollout.approve', { hash: plan.hash, principal: 'rm1' });
    await value(core, 'rollout.approve', { hash: plan.hash, principal: 'rm2' });
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash, as: 'sofia' });
    expect(rollout.status).toBe('completed');
    expect(rollout.unwraps).toBe(0);
    expect(rollout.steps.map((s) => [s.cluster, s.result])).toEqual([[one, 'deleted']]);
    const scan = await value<ScanResult>(core, 'kube.scan', {});
    const cells = Object.fromEntries(scan.cells.filter((c) => c.app === 'billing').map((c) => [c.cluster, c]));
    expect(cells[one]!.state).toBe('not-targeted');
    expect(cells[one]!.secrets).toEqual([]);
    expect(cells[two]!.state).toBe('in-sync');
  });

  it('kube.provision goes through plans and honours the policies', async () => {
    const r = await refusal(core, 'kube.provision', { app: 'billing', clusters: [one] });
    expect(r.code).toBe('APPROVAL_REQUIRED');
  });

  it('keeps an intact audit log with every plan, approval, step and outcome', async () => {
    const verification = await value<AuditVerification>(core, 'audit.verify', {});
    expect(verification.ok).toBe(true);
    expect(verification.signaturesVerified).toBeGreaterThan(0);
    const entries = await value<{ action: string }[]>(core, 'audit.list', { limit: 10_000 });
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'trust.bootstrap',
      'trust.principal.add',
      'trust.policy.set',
      'rollout.plan',
      'rollout.approve',
      'rollout.start',
      'rollout.step',
      'rollout.finish',
    ])
      expect(actions).toContain(a);
  });
});
