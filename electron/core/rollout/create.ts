// Builds the rollout service from what it needs (the database and audit log, the vault and
// kube ports, the catalog, the token layer for signatures) and announces interrupted rollouts.
import { RolloutService, type RolloutServiceOptions } from './rollout-service.ts';

export type RolloutDeps = RolloutServiceOptions;

export function createRollouts(deps: RolloutDeps): RolloutService {
  const service = new RolloutService(deps);
  service.recoverInterrupted();
  return service;
}
