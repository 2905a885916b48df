// Rollouts: what the rest of core (handlers, hosts) may use.
export { RolloutService, type RolloutServiceOptions, type RolloutVault, type RolloutKube, type PlanRequest } from './rollout-service.ts';
export { createRollouts, type RolloutDeps } from './create.ts';
export { TrustStore, ANCHOR_FILE, type TrustState } from './trust.ts';
export { computePlan, scopeClusters, wiringHash, wiringOf } from './planner.ts';
export { tokenSigner, type Signer } from './signer.ts';
