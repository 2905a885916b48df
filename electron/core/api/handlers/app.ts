// app.* and settings.* channels.
import type { CoreConfig } from '../../config.ts';
import type { EventBus } from '../../events.ts';
import type { SettingsStore } from '../../settings/settings-store.ts';
import type { Handlers } from '../dispatcher.ts';

export function appHandlers(s: {
  config: CoreConfig;
  settings: SettingsStore;
  events: EventBus;
}): Pick<Handlers, 'app.info' | 'settings.get' | 'settings.set'> {
  return {
    'app.info': async () => ({
      name: 'Tessera',
      version: s.config.version,
      dataDir: s.config.dataDir,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.versions.node,
      host: s.config.host,
    }),
    'settings.get': async () => s.settings.get(),
    'settings.set': async ({ patch }) => {
      const next = s.settings.set(patch);
      s.events.emit('settings.changed', { keys: Object.keys(patch) });
      return next;
    },
  };
}
