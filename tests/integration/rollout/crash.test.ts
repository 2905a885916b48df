// Rollouts survive crashes: a child process rolling a secret out to many simulated clusters is
// SIGKILLed at several points. After each kill, start-up reports the interrupted rollout; resuming
// completes it; every cell ends in sync; no cluster got a wrong or a second write (each Secret's
// live resourceVersion is the one the journal recorded, its data is the planned version, and only
// Tessera's apply owns it); the database passes integrity_check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import type { PlanView, RolloutSummary, RolloutView, ScanResult } from '../../../shared/contract/index.ts';
import { makeCore, value } from './support.ts';
import { fleetApp, VAULT_TOKEN } from './fleet-support.ts';

const skipReason = softHsmSkipReason();
const CHILD = fileURLToPath(new URL('./rollout-child.ts', import.meta.url));
const CLUSTERS = 300;

describe.skipIf(skipReason !== null)('rollout after crashes', () => {
  let fleet: Fleet;
  let hsm: SoftHsm;
  let dir: string;
  let serial: string;
  let hash: string;
  let versionId: string;

  const fresh = (): Core => makeCore(dir, hsm.module, fleet.kubeconfigPath);

  function runChild(mode: 'execute' | 'retry', ref: string, killAt: number | null): Promise<{ killed: boolean; progress: number; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CHILD, dir, hsm.module, fleet.kubeconfigPath, serial, 'VAULT_PIN', mode, ref], {
        env: { ...hsm.env, VAULT_PIN: VAULT_TOKEN.pin },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let progress = 0;
      let killed = false;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        for (const m of chunk.matchAll(/progress (\d+)/gu)) progress = Number(m[1]);
        if (killAt !== null && !killed && progress >= killAt) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', reject);
      child.on('exit', () => resolve({ killed, progress, output }));
    });
  }

  function integrity(): void {
    const db = new DatabaseSync(join(dir, 'tessera.db'));
    expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
    db.close();
  }

  beforeAll(async () => {
    fleet = await startFleet({ clusters: CLUSTERS, latency: { fixedMs: 25, jitterMs: 10 } });
    hsm = createSoftHsm([VAULT_TOKEN]);
    serial = hsm.tokens[0]!.serial;
    dir = mkdtempSync(join(tmpdir(), 'tessera-rollout-crash-'));
    const core = fresh();
    await fleetApp(core, fleet, serial, 'crashy', 1);
    const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['crashy'] } });
    expect(plan.counts.create).toBe(CLUSTERS);
    hash = plan.hash;
    versionId = plan.changes[0]!.versionId!;
    await core.close();
  }, 180_000);
  afterAll(async () => {
    await fleet?.stop();
    hsm?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is reported as interrupted after each kill, resumes, and ends with every cell in sync and no second write', async () => {
    let rolloutId = '';
    const kills = [15, 60, 60];
    for (let i = 0; i <= kills.length; i++) {
      const killAt = kills[i] ?? null;
      const run = await runChild(i === 0 ? 'execute' : 'retry', i === 0 ? hash : rolloutId, killAt);
      integrity();
      const core = fresh();
      try {
        if (killAt !== null) {
          expect(run.killed, run.output).toBe(true);
          const interrupted = await value<RolloutSummary[]>(core, 'rollout.interrupted', {});
          expect(interrupted).toHaveLength(1);
          rolloutId = interrupted[0]!.id;
          expect(interrupted[0]!.status).toBe('interrupted');
          expect(interrupted[0]!.pending).toBeGreaterThan(0);
          const list = await value<RolloutSummary[]>(core, 'rollout.list', {});
          expect(list.find((r) => r.id === rolloutId)?.status).toBe('interrupted');
          console.info(`[rollout crash] kill ${i + 1}: ${interrupted[0]!.done} done, ${interrupted[0]!.pending} pending`);
        } else {
          expect(run.output).toContain('"status":"completed"');
          const rollout = await value<RolloutView>(core, 'rollout.get', { rolloutId });
          expect(rollout.status).toBe('completed');
          expect(rollout.done).toBe(CLUSTERS);
          expect(await value<RolloutSummary[]>(core, 'rollout.interrupted', {})).toEqual([]);
          // Every cluster holds the planned version, written once: live resourceVersion is the journal's.
          for (const step of rollout.steps) {
            const live = fleet.clusterState(step.cluster).secrets.find((s: any) => s.metadata.name === 'crashy-s0') as any;
            expect(live.metadata.annotations['tessera.dev/version-id']).toBe(versionId);
            expect(Buffer.from(live.data.A, 'base64').toString()).toBe('alpha-0');
            expect(live.metadata.resourceVersion, step.cluster).toBe(step.resourceVersion);
            expect(live.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`)).toEqual(['tessera/Apply']);
          }
          const scan = await value<ScanResult>(core, 'kube.scan', {});
          expect(scan.cells.filter((c) => c.app === 'crashy').every((c) => c.state === 'in-sync')).toBe(true);
          // The unwrap count covers every run: one per run that had writes left.
          expect(rollout.unwraps).toBe(kills.length + 1);
        }
      } finally {
        await core.close();
      }
    }
  }, 600_000);
});
