// app.* and settings.* channels.
import type { CoreConfig } from '../../config.ts';
import type { EventBus } from '../../events.ts';
import type { SettingsStore } from '../../settings/settings-store.ts';
import type { ConfirmationGate } from '../../settings/confirmation.ts';
import type { Handlers } from '../dispatcher.ts';

/** Settings that make Tessera load native code (modules) or run commands (kubeconfig exec plugins). */
const SENSITIVE = { pkcs11Modules: 'PKCS#11 modules', kubeconfigFiles: 'kubeconfig files' } as const;

export function appHandlers(s: {
  config: CoreConfig;
  settings: SettingsStore;
  events: EventBus;
  confirmations: ConfirmationGate;
  /** Records a settings change in the audit log. */
  audit: (entry: { action: string; subject: string; details: Record<string, string> }) => void;
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
    'settings.set': async ({ patch, confirmation }, ctx) => {
      const current = s.settings.get();
      const sensitive = (Object.keys(SENSITIVE) as (keyof typeof SENSITIVE)[]).filter(
        (k) => patch[k] !== undefined && JSON.stringify(patch[k]) !== JSON.stringify(current[k]),
      );
      if (sensitive.length > 0) {
        const detail = sensitive.map((k) => `${SENSITIVE[k]}: ${patch[k]!.length === 0 ? '(none)' : patch[k]!.join(', ')}`).join('\n');
        await s.confirmations.confirm(
          { summary: sensitive.map((k) => SENSITIVE[k]).join(' and '), detail, fingerprint: JSON.stringify(sensitive.map((k) => [k, patch[k]])) },
          ctx,
          confirmation,
        );
      }
      const next = s.settings.set(patch);
      const changed = (Object.keys(patch) as (keyof typeof patch)[]).filter((k) => JSON.stringify(patch[k]) !== JSON.stringify(current[k]));
      if (changed.length > 0) {
        // Every change is audited, with the new values (settings hold paths and numbers, never secrets).
        s.audit({
          action: 'settings.change',
          subject: 'settings',
          details: {
            transport: ctx.transport,
            ...Object.fromEntries(changed.map((k) => [k, JSON.stringify(next[k])])),
            ...(sensitive.length > 0 ? { confirmedBy: ctx.transport === 'ipc' ? 'dialog' : ctx.transport === 'http' ? 'terminal code' : 'terminal' } : {}),
          },
        });
      }
      s.events.emit('settings.changed', { keys: Object.keys(patch) });
      return next;
    },
  };
}
