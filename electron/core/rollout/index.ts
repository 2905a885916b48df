// Rollouts: what the rest of core (handlers, hosts) may use.
export { RolloutService, type RolloutServiceOptions, type PlanRequest } from './rollout-service.ts';
export { createRollouts } from './create.ts';
export { TrustStore, ANCHOR_FILE, type TrustState } from './trust.ts';
export { computePlan, scopeClusters, wiringHash, wiringOf } from './planner.ts';
export { tokenSigner, type Signer } from './signer.ts';
