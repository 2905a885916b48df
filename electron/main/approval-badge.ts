// The dock or tray badge: how many plans wait for this desk's user to approve them. The user is
// the principal named like the acting user (TESSERA_ACTOR, else the OS user, as core's actor
// rule); a plan counts while it is not approved, not executed, and a policy still needs a
// signature that this principal's role can give and the policy lets them give.
import type { PlanSummary, PlanView, TrustPrincipalView } from '../../shared/contract/index.ts';

/** Calls one channel of the dispatcher; null when it answers with an error. */
export type ChannelCall = <T>(channel: string, input: unknown) => Promise<T | null>;

const CANDIDATE_LIMIT = 100;

/** How many plans wait for `principalName` (0 when no such principal is in the signed chain). */
export async function countAwaitingApproval(call: ChannelCall, principalName: string): Promise<number> {
  const principals = await call<TrustPrincipalView[]>('rollout.principals', {});
  const me = principals?.find((p) => p.name === principalName && p.consistent) ?? null;
  if (!me) return 0;
  const summaries = (await call<PlanSummary[]>('rollout.plans', { limit: CANDIDATE_LIMIT })) ?? [];
  const views: PlanView[] = [];
  for (const plan of summaries.filter((p) => !p.approved && p.rollouts.length === 0)) {
    const view = await call<PlanView>('rollout.getPlan', { hash: plan.hash });
    if (view) views.push(view);
  }
  return plansAwaitingApproval(views, me);
}

export function plansAwaitingApproval(plans: readonly PlanView[], principal: Pick<TrustPrincipalView, 'name' | 'roles'> | null): number {
  if (!principal) return 0;
  return plans.filter((plan) => {
    if (plan.approved || plan.rollouts.length > 0) return false;
    if (plan.approvals.some((a) => a.principal === principal.name && a.valid)) return false;
    return plan.requirements.some(
      (r) =>
        !r.satisfied &&
        principal.roles.includes(r.approverRole) &&
        !r.given.includes(principal.name) &&
        !(r.excludeRequester && plan.createdBy === principal.name),
    );
  }).length;
}

/** The tray's tooltip for a count. */
export function badgeTooltip(count: number): string {
  if (count === 0) return 'Tessera: no plan waits for your approval';
  return `Tessera: ${count} plan${count === 1 ? '' : 's'} wait${count === 1 ? 's' : ''} for your approval`;
}
