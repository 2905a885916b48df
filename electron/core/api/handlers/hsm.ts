// hsm.* channels.
import { discoverModules } from '../../hsm/module-discovery.ts';
import type { Services } from '../../services.ts';
import type { Handlers } from '../dispatcher.ts';

export function hsmHandlers(s: Services): Pick<Handlers, 'hsm.modules'> {
  return {
    'hsm.modules': async () => discoverModules({ configured: s.settings.get().pkcs11Modules }),
  };
}
