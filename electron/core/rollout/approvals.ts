// Which policies apply to a plan and whether its approvals satisfy them. An approval counts when
// its signature verifies over this plan's hash with the principal's key from the signed chain,
// the principal holds the policy's approver role, and (when the policy says so) is not the
// requester. Evaluated from the chain, never from rows a UI or an attacker could edit.
import type { ApprovalView, PolicyRequirement } from '../../../shared/contract/index.ts';
import { matches, parseSelector } from '../../../shared/domain/labels.ts';
import { approvalMessage, type PlanBody } from '../../../shared/domain/plan.ts';
import { verifySignature, type SignatureAlgorithm } from '../hsm/index.ts';
import type { ApprovalRow } from './journal.ts';
import type { TrustState } from './trust.ts';

export function checkApproval(
  hash: string,
  row: Pick<ApprovalRow, 'principal' | 'key_fingerprint' | 'algorithm' | 'signature'>,
  trust: TrustState,
): string | null {
  const p = trust.principals.get(row.principal);
  if (!p) return `"${row.principal}" is not a principal of the signed chain`;
  if (p.keyFingerprint !== row.key_fingerprint) return `the signing key is not "${row.principal}"'s registered key`;
  const ok = verifySignature(p.spkiDer, row.algorithm as SignatureAlgorithm, Buffer.from(approvalMessage(hash), 'utf8'), Buffer.from(row.signature));
  return ok ? null : `the signature does not verify over plan ${hash.slice(0, 12)}… with "${row.principal}"'s key (signed for another plan, or altered)`;
}

export function evaluate(
  hash: string,
  body: PlanBody,
  approvals: ApprovalRow[],
  trust: TrustState,
  requesters: string[],
): { requirements: PolicyRequirement[]; approvals: ApprovalView[] } {
  const writes = new Set(body.actions.filter((a) => a.action !== 'nothing').map((a) => a.cluster));
  const views: ApprovalView[] = approvals.map((a) => {
    const problem = checkApproval(hash, a, trust);
    return { principal: a.principal, keyFingerprint: a.key_fingerprint, algorithm: a.algorithm, at: a.created_at, valid: problem === null, note: problem };
  });
  const requirements: PolicyRequirement[] = [];
  for (const policy of [...trust.policies.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const parsed = parseSelector(policy.selector);
    if (!parsed.selector) continue;
    const sel = parsed.selector;
    const clusters = body.clusters.filter((c) => writes.has(c.name) && matches(sel, c.labels)).map((c) => c.name);
    if (clusters.length === 0) continue;
    const given: string[] = [];
    for (const v of views) {
      if (!v.valid) continue;
      const roles = trust.principals.get(v.principal)?.roles ?? [];
      if (!roles.includes(policy.approverRole)) continue;
      if (policy.excludeRequester && requesters.includes(v.principal)) continue;
      given.push(v.principal);
    }
    requirements.push({
      policy: policy.name,
      selector: policy.selector,
      required: policy.requiredApprovals,
      approverRole: policy.approverRole,
      excludeRequester: policy.excludeRequester,
      clusters,
      given,
      satisfied: given.length >= policy.requiredApprovals,
    });
  }
  for (const v of views) {
    if (!v.valid || v.note !== null) continue;
    const counted = requirements.some((r) => r.given.includes(v.principal));
    if (!counted && requirements.length > 0)
      v.note = requesters.includes(v.principal)
        ? 'not counted: the requester may not approve under these policies'
        : 'not counted: the principal lacks the approver role';
  }
  return { requirements, approvals: views };
}

/** "policy prod needs 2 approvals by release-manager (not the requester); has 1 (alice)". */
export function missingSentence(requirements: PolicyRequirement[]): string {
  return requirements
    .filter((r) => !r.satisfied)
    .map(
      (r) =>
        `policy "${r.policy}" (${r.selector}, ${r.clusters.length} cluster${r.clusters.length === 1 ? '' : 's'}) needs ${r.required} approval${r.required === 1 ? '' : 's'} by ${r.approverRole}${r.excludeRequester ? ' other than the requester' : ''}; has ${r.given.length}${r.given.length ? ` (${r.given.join(', ')})` : ''}`,
    )
    .join('; ');
}
