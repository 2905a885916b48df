// Rollouts: what the rest of core (handlers, hosts) may use.
export { RolloutService, type RolloutServiceOptions, type RolloutVault, type RolloutKube, type PlanRequest } from './rollout-service.ts';
export { createReconciler, createRollouts, type RolloutDeps } from './create.ts';
export { TrustStore, ANCHOR_FILE, type TrustState } from './trust.ts';
export { computePlan, scopeClusters, wiringHash, wiringOf } from './planner.ts';
export { tokenSigner, type Signer } from './signer.ts';
export { Reconciler, type ReconcilerOptions, type ReconcileReport } from './reconciler.ts';
export { isRetriable } from './retriable.ts';
