// Builds the rollout service from what it needs (the database and audit log, the vault and
// kube ports, the catalog, the token layer for signatures) and announces interrupted rollouts.
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';
import { RolloutService, type RolloutServiceOptions } from './rollout-service.ts';

export type RolloutDeps = RolloutServiceOptions;

export function createRollouts(deps: RolloutDeps): RolloutService {
  const service = new RolloutService(deps);
  service.recoverInterrupted();
  return service;
}

/** The reconciler over a rollout service; the rollout view learns its next attempts from it. */
export function createReconciler(deps: Omit<ReconcilerOptions, 'rollouts'> & { rollouts: RolloutService }): Reconciler {
  const reconciler = new Reconciler(deps);
  deps.rollouts.nextAttempt = (rolloutId) => reconciler.nextAttemptOf(rolloutId);
  return reconciler;
}
