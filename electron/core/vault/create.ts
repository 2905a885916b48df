// Builds the vault from a core's services: the database in the data dir (opened on first use),
// the token layer through the narrow TokenAccess view, and rewrap progress as events.
import { actorName } from '../actor.ts';
import type { TokenService } from '../hsm/index.ts';
import type { Services } from '../services.ts';
import { openDatabase } from '../store/index.ts';
import type { TokenAccess } from './keyring.ts';
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

export function createVaultService(s: Services): VaultService {
  const log = s.log.child('vault');
  const db = openDatabase(s.config.dataDir, { warn: (message, fields) => log.warn(message, fields) });
  let access: TokenAccess | null = null;
  const vault = new VaultService({
    db,
    log,
    tokens: () => (access ??= tokenAccess(s.tokens())),
    actor: () => actorName(s.env),
    onRewrapProgress: (event) => s.events.emit('vault.rewrap.progress', event),
  });
  s.onClose(() => vault.close());
  return vault;
}
