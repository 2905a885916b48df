// Builds the token service from what it needs: module paths from settings (or discovery),
// auto-lock from settings, the OS keychain, and C_Finalize on close.
import type { EventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { createKeytarKeychain, type PinKeychain } from './keychain.ts';
import { discoverModules, loadByDefault } from './module-discovery.ts';
import { TokenService } from './token-service.ts';

/** Token layer overrides (tests, CLI): extra module paths, idle auto-lock and presence polling in ms, a keychain (null: none). */
export interface HsmOverrides {
  modules?: string[];
  autoLockMs?: number;
  presencePollMs?: number;
  keychain?: PinKeychain | null;
}

export interface TokenDeps {
  settings: SettingsStore;
  overrides: HsmOverrides;
  log: Logger;
  events: EventBus;
  /** Who is acting on this workstation (says who unlocked a token). */
  actor: () => string;
  onClose(fn: () => Promise<void>): void;
}

export function createTokenService(deps: TokenDeps): TokenService {
  const { settings, overrides } = deps;
  const service = new TokenService({
    modulePaths: () => {
      const configured = settings.get().pkcs11Modules;
      const extra = overrides.modules ?? [];
      if (configured.length > 0 || extra.length > 0) return [...configured, ...extra];
      // Nothing configured: the well-known modules found on this machine that make sense to load
      // (judged by the process environment, which is what the modules themselves read).
      return discoverModules({ configured: [] })
        .filter((m) => loadByDefault(m, process.env))
        .map((m) => m.path);
    },
    log: deps.log,
    actor: deps.actor,
    events: deps.events,
    autoLockMs: () => overrides.autoLockMs ?? settings.get().autoLockMinutes * 60_000,
    ...(overrides.presencePollMs === undefined ? {} : { presencePollMs: overrides.presencePollMs }),
    keychainPolicy: () => settings.get().keychainPolicy,
    ...(overrides.keychain === null ? {} : { keychain: overrides.keychain ?? createKeytarKeychain() }),
  });
  deps.onClose(() => service.close());
  return service;
}
