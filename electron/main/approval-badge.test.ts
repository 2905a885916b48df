import { describe, expect, it } from 'vitest';
import type { PlanView, PolicyRequirement } from '../../shared/contract/index.ts';
import { badgeTooltip, plansAwaitingApproval } from './approval-badge.ts';

const requirement = (over: Partial<PolicyRequirement> = {}): PolicyRequirement => ({
  policy: 'prod',
  selector: 'env=prod',
  required: 2,
  approverRole: 'release-manager',
  excludeRequester: true,
  clusters: ['c1'],
  given: [],
  satisfied: false,
  ...over,
});

const plan = (over: Partial<PlanView> = {}): PlanView =>
  ({ hash: 'h', createdBy: 'sofia', approved: false, rollouts: [], approvals: [], requirements: [requirement()], ...over }) as PlanView;

const rm = { name: 'rm1', roles: ['release-manager' as const] };

describe('plansAwaitingApproval', () => {
  it('counts plans a policy still needs this principal to sign', () => {
    expect(plansAwaitingApproval([plan(), plan({ hash: 'h2' })], rm)).toBe(2);
  });

  it('leaves out approved, executed, already signed and satisfied plans', () => {
    expect(plansAwaitingApproval([plan({ approved: true })], rm)).toBe(0);
    expect(plansAwaitingApproval([plan({ rollouts: ['r1'] })], rm)).toBe(0);
    expect(plansAwaitingApproval([plan({ requirements: [requirement({ given: ['rm1'] })] })], rm)).toBe(0);
    expect(plansAwaitingApproval([plan({ approvals: [{ principal: 'rm1', valid: true } as PlanView['approvals'][number]] })], rm)).toBe(0);
    expect(plansAwaitingApproval([plan({ requirements: [requirement({ satisfied: true })] })], rm)).toBe(0);
  });

  it("leaves out plans the principal's role cannot approve, or that they requested when the policy excludes it", () => {
    expect(plansAwaitingApproval([plan()], { name: 'oscar', roles: ['operator'] })).toBe(0);
    expect(plansAwaitingApproval([plan({ createdBy: 'rm1' })], rm)).toBe(0);
    expect(plansAwaitingApproval([plan({ createdBy: 'rm1', requirements: [requirement({ excludeRequester: false })] })], rm)).toBe(1);
    expect(plansAwaitingApproval([plan()], null)).toBe(0);
  });

  it('says the count in the tooltip', () => {
    expect(badgeTooltip(0)).toBe('Tessera: no plan waits for your approval');
    expect(badgeTooltip(1)).toBe('Tessera: 1 plan waits for your approval');
    expect(badgeTooltip(3)).toBe('Tessera: 3 plans wait for your approval');
  });
});
