// Builds the token service from a core's services: module paths from settings (or discovery),
// auto-lock from settings, the OS keychain, and C_Finalize on close.
import { actorName } from '../actor.ts';
import type { Services } from '../services.ts';
import { createKeytarKeychain } from './keychain.ts';
import { discoverModules } from './module-discovery.ts';
import { TokenService } from './token-service.ts';

export function createTokenService(s: Services): TokenService {
  const overrides = s.config.hsm ?? {};
  const service = new TokenService({
    modulePaths: () => {
      const configured = s.settings.get().pkcs11Modules;
      const extra = overrides.modules ?? [];
      if (configured.length > 0 || extra.length > 0) return [...configured, ...extra];
      // Nothing configured: the well-known modules found on this machine, except p11-kit's proxy,
      // which would show the same tokens a second time.
      return discoverModules({ configured: [] })
        .filter((m) => m.kind !== 'p11-kit')
        .map((m) => m.path);
    },
    log: s.log.child('hsm'),
    actor: () => actorName(s.env),
    events: s.events,
    autoLockMs: () => overrides.autoLockMs ?? s.settings.get().autoLockMinutes * 60_000,
    ...(overrides.presencePollMs === undefined ? {} : { presencePollMs: overrides.presencePollMs }),
    keychainPolicy: () => s.settings.get().keychainPolicy,
    ...(overrides.keychain === null ? {} : { keychain: overrides.keychain ?? createKeytarKeychain() }),
  });
  s.onClose(() => service.close());
  return service;
}
