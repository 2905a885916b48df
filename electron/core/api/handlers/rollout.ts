// rollout.* channels: plans, approvals, execution, history, and the signed principals and
// policies. Also the kube.provision / kube.deprovision channels, routed through plans so the
// one-click actions cannot bypass the approval policies.
import { TesseraError, type ClusterOutcome } from '../../../../shared/contract/index.ts';
import type { KubeService } from '../../kube/index.ts';
import { isTargeted } from '../../kube/index.ts';
import { scopeClusters, type Reconciler, type RolloutService } from '../../rollout/index.ts';
import type { VaultService } from '../../vault/index.ts';
import type { Handlers } from '../dispatcher.ts';

type RolloutChannel =
  | 'rollout.plan'
  | 'rollout.planDeleteApp'
  | 'rollout.publish'
  | 'rollout.pending'
  | 'rollout.expiries'
  | 'rollout.retarget'
  | 'rollout.getPlan'
  | 'rollout.plans'
  | 'rollout.approve'
  | 'rollout.execute'
  | 'rollout.retry'
  | 'rollout.cancel'
  | 'rollout.list'
  | 'rollout.get'
  | 'rollout.interrupted'
  | 'rollout.trust'
  | 'rollout.bootstrap'
  | 'rollout.principals'
  | 'rollout.addPrincipal'
  | 'rollout.grantRoles'
  | 'rollout.policies'
  | 'rollout.setPolicy'
  | 'rollout.owners'
  | 'rollout.setOwners'
  | 'rollout.adoptReview'
  | 'rollout.adopt';

export function rolloutHandlers(s: { rollouts: () => RolloutService; reconciler?: () => Reconciler }): Pick<Handlers, RolloutChannel> {
  const r = () => s.rollouts();
  return {
    'rollout.plan': async ({ scope, as, adopt, refresh }, ctx) => r().plan({ scope, as, adopt, refresh, signal: ctx.signal }),
    'rollout.planDeleteApp': async ({ app, as, refresh }) => r().planDeleteApp(app, as, refresh),
    'rollout.publish': async ({ app, cluster, state, as, expiresAt }) => r().publish(app, cluster, state, as, expiresAt),
    'rollout.pending': async () => (s.reconciler ? s.reconciler().pending() : []),
    'rollout.expiries': async () => r().expiries(),
    'rollout.retarget': async ({ app, targeting, as }) => r().retarget(app, targeting, as),
    'rollout.getPlan': async ({ hash }) => r().getPlan(hash),
    'rollout.plans': async ({ limit }) => r().plans(limit),
    'rollout.approve': async ({ hash, principal, signature }) => r().approve(hash, principal, signature),
    'rollout.execute': async ({ hash, as }, ctx) => r().execute(hash, as, ctx.signal),
    'rollout.retry': async ({ rolloutId, as }, ctx) => r().retry(rolloutId, as, ctx.signal),
    'rollout.cancel': async ({ rolloutId }) => r().cancel(rolloutId),
    'rollout.list': async ({ limit }) => r().list(limit),
    'rollout.get': async ({ rolloutId }) => r().get(rolloutId),
    'rollout.interrupted': async () => r().interrupted(),
    'rollout.trust': async () => r().trustStatus(),
    'rollout.bootstrap': async ({ name, tokenSerial, keyId }) => r().bootstrap(name, tokenSerial, keyId),
    'rollout.principals': async () => r().principals(),
    'rollout.addPrincipal': async (input) => r().addPrincipal(input),
    'rollout.grantRoles': async ({ name, roles, signer }) => r().grantRoles(name, roles, signer),
    'rollout.policies': async () => r().policies(),
    'rollout.setPolicy': async ({ signer, ...policy }) => r().setPolicy(policy, signer),
    'rollout.owners': async () => r().owners(),
    'rollout.setOwners': async ({ app, owners, signer }) => r().setOwners(app, owners, signer),
    'rollout.adoptReview': async () => r().adoptReview(),
    'rollout.adopt': async ({ signer }) => r().adopt(signer),
  };
}

/** Plans the change, executes it when no approval is missing, and reports it per cluster like the kube layer did. */
async function planAndExecute(
  rollouts: RolloutService,
  scope: { apps: string[]; clusters?: string[] | undefined; selector?: string | undefined },
  signal?: AbortSignal,
): Promise<ClusterOutcome[]> {
  const plan = await rollouts.plan({ scope, signal });
  if (!plan.approved) {
    const missing = plan.requirements
      .filter((q) => !q.satisfied)
      .map((q) => `"${q.policy}" needs ${q.required}`)
      .join(', ');
    throw new TesseraError(
      'APPROVAL_REQUIRED',
      `This change is plan ${plan.hash}; policy ${missing} approval(s). Approve it (tessera approve ${plan.hash}) and apply it (tessera apply ${plan.hash}).`,
      {
        details: { plan: plan.hash },
      },
    );
  }
  const clusters = [...new Set(plan.body.clusters.map((c) => c.name))];
  if (plan.changes.length === 0) return clusters.map((cluster) => ({ cluster, ok: true, secrets: [], error: null }));
  const rollout = await rollouts.execute(plan.hash, undefined, signal);
  return clusters.map((cluster) => {
    const steps = rollout.steps.filter((st) => st.cluster === cluster);
    const failed = steps.find((st) => st.state !== 'done');
    return {
      cluster,
      ok: failed === undefined,
      secrets: steps.map((st) => ({
        namespace: st.namespace,
        name: st.secret,
        action: (st.result ?? 'unchanged') as ClusterOutcome['secrets'][number]['action'],
        resourceVersion: st.resourceVersion,
        wiring: 'none' as const,
      })),
      error: failed ? (failed.error ?? { code: 'CANCELLED', message: 'The step did not run.' }) : null,
    };
  });
}

/** kube.provision / kube.deprovision through plans: explicit clusters are published to (or unpublished from) first. */
export function routedKubeHandlers(s: {
  vault: () => Pick<VaultService, 'setPublication' | 'hasApp' | 'publishedApps'>;
  kube: () => Pick<KubeService, 'clusters'>;
  rollouts: () => RolloutService;
}): Pick<Handlers, 'kube.provision' | 'kube.deprovision'> {
  return {
    'kube.provision': async ({ app, clusters, selector, expiresAt }, ctx) => {
      // The app's targeting must allow the clusters, or publishing there would record an intent
      // no plan can meet: say so and record nothing.
      const pub = s
        .vault()
        .publishedApps()
        .find((p) => p.app === app);
      if (!pub) throw new TesseraError('NOT_FOUND', `There is no app named "${app}".`, { field: 'app' });
      const labels = new Map(
        s
          .kube()
          .clusters()
          .map((c) => [c.name, c.labels]),
      );
      const names = scopeClusters({ apps: [], clusters: clusters ?? [], selector: selector ?? '', cells: [] }, labels);
      const allowed = names.filter((c) => isTargeted({ app, targeting: pub.targeting, published: [c], secrets: [] }, c, labels.get(c) ?? {}));
      if (allowed.length === 0) {
        const none = pub.targeting.selector.trim() === '' && pub.targeting.include.length === 0;
        throw new TesseraError(
          'INVALID_INPUT',
          none
            ? `App "${app}" has no targeting (no selector, no included cluster), so it cannot be published anywhere; set its targeting first. Nothing was recorded.`
            : `App "${app}"'s targeting allows none of the clusters asked for (${names.length === 0 ? 'none matched' : names.join(', ')}). Nothing was recorded.`,
          { field: names.length === 0 ? 'clusters' : 'app' },
        );
      }
      if (clusters && clusters.length > 0) for (const c of allowed) s.vault().setPublication(app, c, 'published');
      if (expiresAt !== undefined) s.rollouts().setExpiry(app, allowed, expiresAt);
      return planAndExecute(s.rollouts(), { apps: [app], clusters: allowed }, ctx.signal);
    },
    'kube.deprovision': async ({ app, clusters, selector }, ctx) => {
      const labels = new Map(
        s
          .kube()
          .clusters()
          .map((c) => [c.name, c.labels]),
      );
      const names = scopeClusters({ apps: [], clusters: clusters ?? [], selector: selector ?? '', cells: [] }, labels);
      if (s.vault().hasApp(app)) for (const c of names) s.vault().setPublication(app, c, 'unpublished');
      return planAndExecute(s.rollouts(), { apps: [app], clusters: names }, ctx.signal);
    },
  };
}
