// Builds the vault from what it needs: the database and the audit log over it, the token layer
// through the narrow TokenAccess view, who is acting, and rewrap progress as events.
import type { RewrapProgressEvent } from '../../../shared/contract/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { TokenService } from '../hsm/index.ts';
import type { Logger } from '../log/logger.ts';
import type { Database } from '../store/index.ts';
import type { TokenAccess } from './keyring.ts';
import type { VaultTrust } from './trust-port.ts';
import { VaultService } from './vault-service.ts';

/** The vault's view of the token layer. */
export function tokenAccess(tokens: TokenService): TokenAccess {
  return {
    async unlockedSessions() {
      const modules = await tokens.listModules();
      const serials = modules.flatMap((m) => m.slots.flatMap((s) => (s.token && s.token.state === 'unlocked' ? [s.token.serial] : [])));
      return Promise.all(serials.map((serial) => tokens.session(serial)));
    },
    session: (serial) => tokens.session(serial),
    recipientForKey: (serial, keyId) => tokens.recipientForKey(serial, keyId),
    sign: (serial, keyId, data) => tokens.sign(serial, keyId, data),
  };
}

export interface VaultDeps {
  db: Database;
  audit: AuditLog;
  /** The token layer, started on first use. */
  tokens: () => TokenService;
  log: Logger;
  actor: () => string;
  /** The signed chain (the rollouts' trust store): the root of every grant. */
  trust: () => VaultTrust;
  /** The principal acting when a call names none (TESSERA_PRINCIPAL). */
  defaultPrincipal: () => string | undefined;
  /** The explicit unsigned single-user demo (TESSERA_UNSIGNED_DEMO=1), only while no chain exists. */
  demo: boolean;
  onRewrapProgress: (event: RewrapProgressEvent) => void;
}

export function createVaultService(deps: VaultDeps): VaultService {
  let access: TokenAccess | null = null;
  return new VaultService({
    db: deps.db,
    audit: deps.audit,
    log: deps.log,
    tokens: () => (access ??= tokenAccess(deps.tokens())),
    actor: deps.actor,
    trust: deps.trust,
    defaultPrincipal: deps.defaultPrincipal,
    demo: deps.demo,
    onRewrapProgress: deps.onRewrapProgress,
  });
}
