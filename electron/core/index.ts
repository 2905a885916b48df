// createCore wires the Node-only services and the dispatcher. Hosts (Electron main, the
// headless server, the CLI) create one core and bind its dispatcher and events to a transport.
import { mkdirSync } from 'node:fs';
import { appHandlers } from './api/handlers/app.ts';
import { hsmHandlers } from './api/handlers/hsm.ts';
import { kubeHandlers } from './api/handlers/kube.ts';
import { createDispatcher, type Dispatcher, type Handlers } from './api/dispatcher.ts';
import { createEventBus, type EventBus } from './events.ts';
import { createLogger, processSinks, stderrSink, type LogSink, type Logger } from './log/logger.ts';
import type { CoreConfig, Services } from './services.ts';
import { createSettingsStore } from './settings/settings-store.ts';
import { createTokenService } from './hsm/create.ts';
import { createVaultService } from './vault/create.ts';
import { createKube } from './kube/create.ts';
import { vaultHandlers } from './api/handlers/vault.ts';
import { auditHandlers } from './api/handlers/audit.ts';
import { configHandlers } from './api/handlers/config.ts';
import { rolloutHandlers, routedKubeHandlers } from './api/handlers/rollout.ts';
import { createRollouts } from './rollout/create.ts';

export type { CoreConfig, Services } from './services.ts';
export type { CallContext, Dispatcher } from './api/dispatcher.ts';
export type { EventBus } from './events.ts';
export { defaultDataDir } from './paths.ts';

export interface Core {
  config: CoreConfig;
  dispatcher: Dispatcher;
  events: EventBus;
  log: Logger;
  services: Services;
  close(): Promise<void>;
}

export interface CreateCoreOptions {
  logSinks?: LogSink[];
}

export function createCore(config: CoreConfig, options: CreateCoreOptions = {}): Core {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const log = createLogger([...(options.logSinks ?? [stderrSink('warn')]), ...processSinks]);
  const events = createEventBus();
  const closers: (() => Promise<void> | void)[] = [];
  let tokens: ReturnType<typeof createTokenService> | null = null;
  let vault: ReturnType<typeof createVaultService> | null = null;
  let kube: ReturnType<typeof createKube> | null = null;
  let rollouts: ReturnType<typeof createRollouts> | null = null;
  const services: Services = {
    config,
    env: config.env ?? process.env,
    log,
    events,
    settings: createSettingsStore(config.dataDir, log.child('settings')),
    onClose: (fn) => closers.push(fn),
    tokens: () => (tokens ??= createTokenService(services)),
    vault: () => (vault ??= createVaultService(services)),
    kube: () => (kube ??= createKube(services)),
    rollouts: () => (rollouts ??= createRollouts(services)),
  };
  const handlers: Handlers = {
    ...appHandlers(services),
    ...kubeHandlers(services),
    ...hsmHandlers(services),
    ...vaultHandlers(services),
    ...auditHandlers(services),
    ...configHandlers(services),
    ...rolloutHandlers(services),
    // Provisioning goes through plans, so the approval policies apply to it too.
    ...routedKubeHandlers(services),
  };
  return {
    config,
    dispatcher: createDispatcher(handlers, log.child('api')),
    events,
    log,
    services,
    async close() {
      for (const fn of closers.reverse()) await fn();
    },
  };
}
