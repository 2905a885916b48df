// The services a core is made of, handed to each area's handlers.
import type { EventBus } from './events.ts';
import type { PinKeychain, TokenService } from './hsm/index.ts';
import type { Logger } from './log/logger.ts';
import type { SettingsStore } from './settings/settings-store.ts';
import type { VaultService } from './vault/index.ts';
import type { KubeService } from './kube/index.ts';
import type { RolloutService } from './rollout/index.ts';

export interface CoreConfig {
  dataDir: string;
  version: string;
  host: 'electron' | 'headless' | 'cli';
  /** A KUBECONFIG-style path list that replaces the environment's (the CLI's --kubeconfig). */
  kubeconfig?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Token layer overrides (tests, CLI): extra module paths, idle auto-lock and presence polling in ms, a keychain (null: none). */
  hsm?: { modules?: string[]; autoLockMs?: number; presencePollMs?: number; keychain?: PinKeychain | null };
}

export interface Services {
  config: CoreConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: EventBus;
  settings: SettingsStore;
  /** The token layer, created (and its workers started) on first use. */
  tokens(): TokenService;
  /** The vault, created (and its database opened and migrated) on first use. */
  vault(): VaultService;
  /** The Kubernetes layer (cluster registry, scan, provision), created on first use. */
  kube(): KubeService;
  /** Plans, approvals, execution and the journal (and the signed principals and policies), created on first use. */
  rollouts(): RolloutService;
  /** Run on close, last registered first. */
  onClose(fn: () => Promise<void> | void): void;
}
