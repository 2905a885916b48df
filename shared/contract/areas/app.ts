// Channels about the application itself and its settings.
import { z } from 'zod';
import { channel } from '../channel.ts';

export interface AppInfo {
  name: 'Tessera';
  version: string;
  dataDir: string;
  platform: string;
  arch: string;
  nodeVersion: string;
  /** 'electron' or 'headless', so the UI can say how it is connected. */
  host: 'electron' | 'headless' | 'cli';
}

export const THEMES = ['auto', 'light', 'dark'] as const;

export const settingsSchema = z
  .object({
    theme: z.enum(THEMES),
    kubeconfigFiles: z.array(z.string().min(1, 'must not be empty')).max(64),
    pkcs11Modules: z.array(z.string().min(1, 'must not be empty')).max(32),
    concurrency: z.number().int().min(1).max(512),
    requestTimeoutSeconds: z.number().int().min(1).max(600),
    autoLockMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    keychainPolicy: z.enum(['forbidden', 'allowed']),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  theme: 'auto',
  kubeconfigFiles: [],
  pkcs11Modules: [],
  concurrency: 32,
  requestTimeoutSeconds: 30,
  autoLockMinutes: 10,
  keychainPolicy: 'allowed',
};

export const appChannels = {
  'app.info': channel<AppInfo>()(z.object({}).strict(), 'Version, data dir and platform of this backend'),
  'settings.get': channel<Settings>()(z.object({}).strict(), 'The current settings'),
  'settings.set': channel<Settings>()(
    z
      .object({
        patch: settingsSchema.partial().strict(),
        /** The one-time code printed by `tessera serve`, when a change of modules or kubeconfig files asked for one. */
        confirmation: z.string().max(32).optional(),
      })
      .strict(),
    'Change some settings; returns the whole new settings. Module paths and kubeconfig files need a confirmation outside the renderer',
  ),
};
