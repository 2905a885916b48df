// hsm.* channels: modules, tokens, login/logout, keys, key generation, keychain.
import { discoverModules } from '../../hsm/module-discovery.ts';
import type { TokenService } from '../../hsm/index.ts';
import type { SettingsStore } from '../../settings/settings-store.ts';
import type { Handlers } from '../dispatcher.ts';

type HsmChannel = 'hsm.modules' | 'hsm.tokens' | 'hsm.login' | 'hsm.logout' | 'hsm.keys' | 'hsm.generateKey' | 'hsm.keychain' | 'hsm.keychainForget';

export function hsmHandlers(s: { tokens: () => TokenService; settings: SettingsStore }): Pick<Handlers, HsmChannel> {
  return {
    'hsm.modules': async () => discoverModules({ configured: s.settings.get().pkcs11Modules }),
    'hsm.tokens': async () => s.tokens().listModules(),
    'hsm.login': async ({ tokenSerial, pin, remember }) => s.tokens().login(tokenSerial, pin, remember === undefined ? {} : { remember }),
    'hsm.logout': async ({ tokenSerial }) => s.tokens().logout(tokenSerial),
    'hsm.keys': async ({ tokenSerial }) => s.tokens().keys(tokenSerial),
    'hsm.generateKey': async ({ tokenSerial, type, label }) => s.tokens().generateKey(tokenSerial, type, label),
    'hsm.keychain': async ({ tokenSerial }) => s.tokens().keychainStatus(tokenSerial),
    'hsm.keychainForget': async ({ tokenSerial }) => s.tokens().keychainForget(tokenSerial),
  };
}
