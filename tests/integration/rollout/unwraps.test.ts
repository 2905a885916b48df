// A rollout of 3 secret versions to 50 simulated clusters performs exactly 3 token unwraps:
// each version is opened once and written to every cluster inside that one opening.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/simulator.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import type { PlanView, RolloutView } from '../../../shared/contract/index.ts';
import { makeCore, value } from './support.ts';
import { fleetApp, VAULT_TOKEN } from './fleet-support.ts';

const skipReason = softHsmSkipReason();

describe.skipIf(skipReason !== null)('token unwraps during a rollout', () => {
  let fleet: Fleet;
  let hsm: SoftHsm;
  let core: Core;
  let dir: string;
  const ops: string[] = [];

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 50, latency: { fixedMs: 2, jitterMs: 2 } });
    hsm = createSoftHsm([VAULT_TOKEN]);
    dir = mkdtempSync(join(tmpdir(), 'tessera-unwraps-'));
    core = makeCore(dir, hsm.module, fleet.kubeconfigPath);
    await fleetApp(core, fleet, hsm.tokens[0]!.serial, 'shop', 3);
    // Count every operation that reaches the token (an unwrap is one derive or decrypt or unwrap call).
    const tokens = core.services.tokens();
    const session = tokens.session.bind(tokens);
    tokens.session = async (serial: string) => {
      const s = await session(serial);
      const call: typeof s.call = (op, args, ctx) => (ops.push(op), s.call(op, args, ctx));
      return { ...s, call };
    };
  }, 120_000);
  afterAll(async () => {
    await core?.close();
    await fleet?.stop();
    hsm?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes 3 versions to 50 clusters with exactly 3 unwraps, and zero values stay in the result', async () => {
    const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['shop'] } });
    expect(plan.counts.create).toBe(150);
    expect(plan.approved).toBe(true); // no policy applies
    ops.length = 0;
    const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash });
    expect(rollout.status).toBe('completed');
    expect(rollout.unwraps).toBe(3);
    expect(rollout.done).toBe(150);
    expect(ops.filter((op) => /unwrap|decrypt|derive|ecdh/iu.test(op))).toHaveLength(3);
    for (const c of fleet.contexts) {
      const names = fleet
        .clusterState(c)
        .secrets.map((s: any) => s.metadata.name)
        .sort();
      expect(names).toEqual(['shop-s0', 'shop-s1', 'shop-s2']);
    }
    expect(JSON.stringify(rollout)).not.toMatch(/alpha-|beta-/u);
  }, 120_000);
});
