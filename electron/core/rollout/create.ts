// Builds the rollout service from a core's services: the vault's database, the kube layer and
// its vault catalog, the token layer for signatures. Interrupted rollouts are announced on creation.
import type { Services } from '../services.ts';
import { vaultCatalog } from '../kube/index.ts';
import { tokenAccess } from '../vault/index.ts';
import { RolloutService } from './rollout-service.ts';

export function createRollouts(s: Services): RolloutService {
  const access = () => tokenAccess(s.tokens());
  const service = new RolloutService({
    vault: () => s.vault(),
    kube: () => s.kube(),
    catalog: () => vaultCatalog(() => s.vault()),
    tokens: access,
    dataDir: s.config.dataDir,
    log: s.log.child('rollout'),
    events: s.events,
    actor: () => s.vault().actor(),
    defaultPrincipal: () => s.env.TESSERA_PRINCIPAL || undefined,
  });
  service.recoverInterrupted();
  return service;
}
