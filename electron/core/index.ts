// The composition root: createCore makes every service once, in one place, and hands each only
// what it uses ({db, tokens, audit, catalog, log, ...}), never the whole set. Services are made on
// first use (the token workers, the database). Imports run one way through the layers —
// store, hsm → audit → vault → kube → rollout → api — and only this file (with wiring/) sees them
// all; scripts/import-graph.ts checks both in npm test. Hosts (Electron main, the headless
// server, the CLI) create one core and bind its dispatcher and events to a transport.
import { mkdirSync } from 'node:fs';
import { actorName } from './actor.ts';
import { appHandlers } from './api/handlers/app.ts';
import { auditHandlers } from './api/handlers/audit.ts';
import { configHandlers } from './api/handlers/config.ts';
import { hsmHandlers } from './api/handlers/hsm.ts';
import { kubeHandlers } from './api/handlers/kube.ts';
import { rolloutHandlers, routedKubeHandlers } from './api/handlers/rollout.ts';
import { vaultHandlers } from './api/handlers/vault.ts';
import { createDispatcher, type Dispatcher, type Handlers } from './api/dispatcher.ts';
import { AuditLog } from './audit/index.ts';
import type { CoreConfig } from './config.ts';
import { createEventBus, type EventBus } from './events.ts';
import { createTokenService } from './hsm/create.ts';
import type { TokenService } from './hsm/index.ts';
import { createKube, sqliteOwnership, sqliteScanStore, type KubeService } from './kube/index.ts';
import { createLogger, processSinks, stderrSink, type LogSink, type Logger } from './log/logger.ts';
import { createReconciler, createRollouts, type Reconciler, type RolloutService } from './rollout/index.ts';
import { createSettingsStore, type SettingsStore } from './settings/settings-store.ts';
import { createConfirmationGate, type ConfirmationGate } from './settings/confirmation.ts';
import { openDatabase, type Database } from './store/index.ts';
import { createVaultService, tokenAccess, type VaultService } from './vault/index.ts';
import { vaultCatalog, vaultLabelStore } from './wiring/vault-catalog.ts';

export type { CoreConfig } from './config.ts';
export type { CallContext, Dispatcher } from './api/dispatcher.ts';
export type { EventBus } from './events.ts';
export { defaultDataDir } from './paths.ts';

/** The services of one core, for hosts and tests: each made on first use, the same one after. */
export interface Services {
  config: CoreConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: EventBus;
  settings: SettingsStore;
  /** The database in the data dir, opened and migrated on first use. */
  database(): Database;
  /** The hash-chained audit log over the database. */
  audit(): AuditLog;
  /** The token layer (its workers start on first use). */
  tokens(): TokenService;
  /** Apps, secrets, versions, recipients. */
  vault(): VaultService;
  /** The Kubernetes layer (cluster registry, scan, provision). */
  kube(): KubeService;
  /** Plans, approvals, execution and the journal (and the signed principals and policies). */
  rollouts(): RolloutService;
  /** Converges standing intents (unmet rollout steps, expired publications) while started. */
  reconciler(): Reconciler;
}

export interface Core {
  config: CoreConfig;
  dispatcher: Dispatcher;
  events: EventBus;
  log: Logger;
  services: Services;
  /** Where hosts plug in the confirmation the renderer cannot give itself (native dialog, terminal code). */
  confirmations: ConfirmationGate;
  close(): Promise<void>;
}

export interface CreateCoreOptions {
  logSinks?: LogSink[];
}

/** A value made on first use. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

export function createCore(config: CoreConfig, options: CreateCoreOptions = {}): Core {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const env = config.env ?? process.env;
  const log = createLogger([...(options.logSinks ?? [stderrSink('warn')]), ...processSinks]);
  const events = createEventBus();
  const settings = createSettingsStore(config.dataDir, log.child('settings'));
  const closers: (() => Promise<void> | void)[] = [];
  const onClose = (fn: () => Promise<void> | void) => void closers.push(fn);
  const actor = () => actorName(env);

  const database = once(() => {
    const dbLog = log.child('vault');
    const db = openDatabase(config.dataDir, { warn: (message, fields) => dbLog.warn(message, fields) });
    onClose(() => {
      if (db.isOpen) db.close();
    });
    return db;
  });
  const audit = once(() => new AuditLog(database()));
  const tokens = once(() => createTokenService({ settings, overrides: config.hsm ?? {}, log: log.child('hsm'), events, actor, onClose }));
  const vault: () => VaultService = once(() =>
    createVaultService({
      db: database(),
      audit: audit(),
      tokens,
      log: log.child('vault'),
      actor,
      // The signed chain lives with the rollouts' trust store: recipients, owners and adoption are records in it.
      trust: () => rollouts().trust,
      defaultPrincipal: () => env.TESSERA_PRINCIPAL || undefined,
      demo: env.TESSERA_UNSIGNED_DEMO === '1',
      onRewrapProgress: (event) => events.emit('vault.rewrap.progress', event),
    }),
  );
  const catalog = () => vaultCatalog(vault);
  const kubeconfigSources = () => ({ kubeconfigEnv: config.kubeconfig ?? env.KUBECONFIG, extraFiles: settings.get().kubeconfigFiles });
  const kube = once(() =>
    createKube({
      sources: kubeconfigSources,
      limits: () => {
        const now = settings.get();
        return { concurrency: now.concurrency, requestTimeoutSeconds: now.requestTimeoutSeconds };
      },
      labels: vaultLabelStore(vault),
      catalog,
      scans: sqliteScanStore(database()),
      ownership: sqliteOwnership(database()),
      events,
      log: log.child('kube'),
      watch: config.host !== 'cli',
      circuitCooldownMs: config.reconcile?.circuitCooldownMs,
      onClose,
    }),
  );
  const rollouts: () => RolloutService = once(() =>
    createRollouts({
      db: database(),
      audit: audit(),
      vault,
      kube,
      catalog,
      tokens: () => tokenAccess(tokens()),
      dataDir: config.dataDir,
      log: log.child('rollout'),
      events,
      actor,
      defaultPrincipal: () => env.TESSERA_PRINCIPAL || undefined,
    }),
  );

  const reconciler = once(() => {
    const r = createReconciler({
      rollouts: rollouts(),
      circuit: (cluster) => {
        try {
          return kube().registry.client(cluster).circuit();
        } catch {
          return null;
        }
      },
      probe: async (cluster, signal) => (await kube().registry.client(cluster).request({ method: 'GET', path: '/version', signal })).status === 200,
      log: log.child('reconciler'),
      ...(config.reconcile?.baseIntervalMs === undefined ? {} : { baseIntervalMs: config.reconcile.baseIntervalMs }),
      ...(config.reconcile?.maxIntervalMs === undefined ? {} : { maxIntervalMs: config.reconcile.maxIntervalMs }),
    });
    onClose(() => r.stop());
    return r;
  });

  const confirmations = createConfirmationGate();
  const services: Services = { config, env, log, events, settings, database, audit, tokens, vault, kube, rollouts, reconciler };
  const handlers: Handlers = {
    ...appHandlers({
      config,
      settings,
      events,
      confirmations,
      audit: (entry) => audit().append({ actor: actor(), outcome: 'ok', ...entry }),
    }),
    ...kubeHandlers({ kube, kubeconfigSources }),
    ...hsmHandlers({ tokens, settings }),
    ...vaultHandlers({ vault }),
    ...auditHandlers({ audit, vault }),
    ...configHandlers({ vault }),
    ...rolloutHandlers({ rollouts, reconciler }),
    // Provisioning goes through plans, so the approval policies apply to it too.
    ...routedKubeHandlers({ vault, kube, rollouts }),
  };
  return {
    config,
    dispatcher: createDispatcher(handlers, log.child('api')),
    events,
    log,
    services,
    confirmations,
    async close() {
      for (const fn of closers.reverse()) await fn();
    },
  };
}
