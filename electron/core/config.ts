// What a host says about the core it wants: where its data lives, which host it is, and
// overrides for tests and the CLI.
import type { HsmOverrides } from './hsm/create.ts';

export interface CoreConfig {
  dataDir: string;
  version: string;
  host: 'electron' | 'headless' | 'cli';
  /** A KUBECONFIG-style path list that replaces the environment's (the CLI's --kubeconfig). */
  kubeconfig?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Token layer overrides (tests, CLI): extra module paths, idle auto-lock and presence polling in ms, a keychain (null: none). */
  hsm?: HsmOverrides;
  /** Retry timing of standing intents (tests): the reconciler's first and longest retry interval, and the clusters' circuit cool-down, in ms. */
  reconcile?: { baseIntervalMs?: number; maxIntervalMs?: number; circuitCooldownMs?: number };
}
