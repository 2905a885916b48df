// The services a core is made of, handed to each area's handlers.
import type { EventBus } from './events.ts';
import type { Logger } from './log/logger.ts';
import type { SettingsStore } from './settings/settings-store.ts';

export interface CoreConfig {
  dataDir: string;
  version: string;
  host: 'electron' | 'headless' | 'cli';
  /** A KUBECONFIG-style path list that replaces the environment's (the CLI's --kubeconfig). */
  kubeconfig?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface Services {
  config: CoreConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: EventBus;
  settings: SettingsStore;
  /** Run on close, last registered first. */
  onClose(fn: () => Promise<void> | void): void;
}
