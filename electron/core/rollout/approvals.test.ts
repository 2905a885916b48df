// Approval evaluation: which policies a plan falls under and which approvals count. Real ECDSA
// signatures made in software stand in for token signatures (the verification is the same).
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/contract/index.ts';
import { approvalMessage, type PlanAction, type PlanBody } from '../../../shared/domain/plan.ts';
import { spkiFingerprint } from '../hsm/index.ts';
import { checkApproval, evaluate, missingSentence } from './approvals.ts';
import type { ApprovalRow } from './journal.ts';
import type { TrustedPolicy, TrustedPrincipal, TrustState } from './trust.ts';

interface Person {
  principal: TrustedPrincipal;
  key: KeyObject;
}

function person(name: string, roles: Role[]): Person {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    principal: { name, roles, spki: spkiDer.toString('base64'), spkiDer, keyFingerprint: spkiFingerprint(spkiDer), recordSeq: 1, signedBy: 'root' },
    key: privateKey,
  };
}

const alice = person('alice', ['release-manager']);
const bob = person('bob', ['release-manager']);
const olga = person('olga', ['operator']);

function approval(p: Person, hash: string, signedHash = hash): ApprovalRow {
  return {
    plan_hash: hash,
    principal: p.principal.name,
    key_fingerprint: p.principal.keyFingerprint,
    algorithm: 'ecdsa-p256-sha256',
    signature: sign('sha256', Buffer.from(approvalMessage(signedHash), 'utf8'), { key: p.key, dsaEncoding: 'ieee-p1363' }),
    created_at: '2026-01-01T00:00:00Z',
  };
}

const prodPolicy: TrustedPolicy = {
  name: 'prod',
  selector: 'env=prod',
  requiredApprovals: 2,
  approverRole: 'release-manager',
  excludeRequester: true,
  recordSeq: 2,
  signedBy: 'root',
};

function trust(policies: TrustedPolicy[] = [prodPolicy]): TrustState {
  const state: Pick<TrustState, 'principals' | 'policies'> = {
    principals: new Map([alice, bob, olga].map((p) => [p.principal.name, p.principal])),
    policies: new Map(policies.map((p) => [p.name, p])),
  };
  return state as TrustState;
}

function action(cluster: string, kind: PlanAction['action'] = 'update'): PlanAction {
  return {
    app: 'web',
    secret: 'db',
    namespace: 'shop',
    cluster,
    action: kind,
    reason: '',
    versionId: 'v2',
    liveVersionId: null,
    keys: { added: [], removed: [], kept: [] },
    overwrite: false,
    wiring: null,
    createNamespace: false,
  };
}

function body(actions: PlanAction[]): PlanBody {
  return {
    format: 'tessera.rollout.plan/v1',
    intent: 'sync',
    scope: { apps: [], clusters: [], selector: '', cells: [] },
    clusters: [
      { name: 'prod-a', labels: { env: 'prod' } },
      { name: 'dev', labels: { env: 'dev' } },
    ],
    actions,
  };
}

const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('approval evaluation', () => {
  it('applies a policy only to clusters the plan writes to', () => {
    expect(evaluate(HASH, body([action('dev')]), [], trust(), []).requirements).toEqual([]);
    expect(evaluate(HASH, body([action('prod-a', 'nothing'), action('dev')]), [], trust(), []).requirements).toEqual([]);
    const [r] = evaluate(HASH, body([action('prod-a'), action('dev')]), [], trust(), []).requirements;
    expect(r).toMatchObject({ policy: 'prod', clusters: ['prod-a'], required: 2, given: [], satisfied: false });
  });

  it('is satisfied by two valid release-manager signatures over this plan', () => {
    const { requirements, approvals } = evaluate(HASH, body([action('prod-a')]), [approval(alice, HASH), approval(bob, HASH)], trust(), ['carol']);
    expect(requirements[0]).toMatchObject({ given: ['alice', 'bob'], satisfied: true });
    expect(approvals.every((a) => a.valid && a.note === null)).toBe(true);
  });

  it('does not count a signature made for another plan', () => {
    const { requirements, approvals } = evaluate(HASH, body([action('prod-a')]), [approval(alice, HASH), approval(bob, HASH, OTHER)], trust(), []);
    expect(requirements[0]).toMatchObject({ given: ['alice'], satisfied: false });
    expect(approvals.find((a) => a.principal === 'bob')).toMatchObject({ valid: false, note: expect.stringContaining('does not verify') });
  });

  it("does not count the requester's own approval when the policy excludes it", () => {
    const { requirements, approvals } = evaluate(HASH, body([action('prod-a')]), [approval(alice, HASH), approval(bob, HASH)], trust(), ['alice']);
    expect(requirements[0]).toMatchObject({ given: ['bob'], satisfied: false });
    expect(approvals.find((a) => a.principal === 'alice')?.note).toMatch(/requester/u);
  });

  it('does not count a principal without the approver role', () => {
    const { requirements, approvals } = evaluate(HASH, body([action('prod-a')]), [approval(olga, HASH)], trust(), []);
    expect(requirements[0]!.given).toEqual([]);
    expect(approvals[0]!.note).toMatch(/lacks the approver role/u);
  });

  it('refuses a signature by a key that is not the principal registered key, or by someone outside the chain', () => {
    const forged = { ...approval(bob, HASH), principal: 'alice' };
    expect(checkApproval(HASH, forged, trust())).toMatch(/not "alice"'s registered key/u);
    const stranger = person('mallory', ['release-manager']);
    expect(checkApproval(HASH, approval(stranger, HASH), trust())).toMatch(/not a principal of the signed chain/u);
    expect(checkApproval(HASH, approval(alice, HASH), trust())).toBeNull();
  });

  it('skips a policy whose selector does not parse, and says what is missing in one sentence', () => {
    const broken: TrustedPolicy = { ...prodPolicy, name: 'broken', selector: 'env in (' };
    const { requirements } = evaluate(HASH, body([action('prod-a')]), [approval(alice, HASH)], trust([broken, prodPolicy]), []);
    expect(requirements.map((r) => r.policy)).toEqual(['prod']);
    expect(missingSentence(requirements)).toBe(
      'policy "prod" (env=prod, 1 cluster) needs 2 approvals by release-manager other than the requester; has 1 (alice)',
    );
  });
});
