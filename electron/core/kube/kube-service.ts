// The Kubernetes layer as one service: clusters and labels, probe, scan, provision,
// deprovision and verify over every targeted cluster at once, within the concurrency limit.
// One cluster's failure is recorded on its own outcome or cells and never stops the others.
import { randomUUID } from 'node:crypto';
import {
  TesseraError,
  type ClusterOutcome,
  type ClusterReach,
  type ContractError,
  type KubeClusterView,
  type ProbeResult,
  type ScanResult,
  type VerifyResult,
} from '../../../shared/contract/index.ts';
import { worstState, type MatrixCell, type WiringDrift } from '../../../shared/domain/cell-state.ts';
import { matches, parseSelector } from '../../../shared/domain/labels.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import { withPriority, type KubeClient, type RequestObserver } from './http-client.ts';
import type { KubeconfigSources } from './kubeconfig-files.ts';
import { createLimiter, type Limiter } from './limiter.ts';
import { probeCluster } from './probe.ts';
import { deprovisionSecret, provisionVersion, type ProvisionOptions, type SecretOutcome } from './provision.ts';
import { createClusterRegistry, type ClusterLabelStore, type ClusterRegistry } from './registry.ts';
import { cellsForCluster, fallbackNamespaces, isTargeted, listManagedSecrets, type ClusterListing } from './scan.ts';
import type { ScanStore } from './scan-store.ts';
import { scanWiring } from './wiring-scan.ts';
import {
  APP_LABEL,
  MANAGED_BY,
  MANAGED_BY_VALUE,
  METADATA_LIST_ACCEPT,
  type AppPublication,
  type KubeCatalog,
  type SecretSpec,
  type SecretValues,
  WRITE_ID_ANNOTATION,
} from './types.ts';
import { verifySecret } from './verify.ts';
import { memoryOwnership, recognise, type SecretOwnership } from './ownership.ts';

export interface KubeServiceOptions {
  sources: () => KubeconfigSources;
  limits: () => { concurrency: number; requestTimeoutSeconds: number };
  labels: ClusterLabelStore;
  catalog: () => KubeCatalog;
  scans: ScanStore;
  events?: EventBus | undefined;
  log?: Logger | undefined;
  /** Who acts (annotation tessera.dev/provisioned-by). */
  principal?: () => string;
  observer?: RequestObserver | undefined;
  /** Tessera's record of the Secrets it created or adopted (kept in memory when absent: tests). */
  ownership?: SecretOwnership | undefined;
  /** Overrides for tests: per-attempt timeout in ms, retries and backoff. */
  requestTimeoutMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  networkRetries?: number;
  circuitCooldownMs?: number;
  execTimeoutMs?: number;
  watch?: boolean;
}

export interface TargetInput {
  app: string;
  clusters?: string[] | undefined;
  selector?: string | undefined;
}

export interface KubeService {
  registry: ClusterRegistry;
  limiter: Limiter;
  clusters(): KubeClusterView[];
  setLabels(cluster: string, set: Record<string, string>, remove: string[]): KubeClusterView;
  probe(clusters?: string[], signal?: AbortSignal): Promise<ProbeResult[]>;
  scan(clusters?: string[], signal?: AbortSignal): Promise<ScanResult>;
  lastScan(): ScanResult | null;
  provision(input: TargetInput & { overwrite?: boolean | undefined }, signal?: AbortSignal): Promise<ClusterOutcome[]>;
  deprovision(input: TargetInput, signal?: AbortSignal): Promise<ClusterOutcome[]>;
  verify(cells: { app: string; cluster: string }[], signal?: AbortSignal): Promise<VerifyResult[]>;
  /** For the rollout layer: one Secret version to one cluster, values from the caller. */
  provisionVersion(cluster: string, spec: SecretSpec, values: SecretValues, options?: ProvisionOptions): Promise<SecretOutcome>;
  deprovisionSecret(cluster: string, spec: Pick<SecretSpec, 'app' | 'name' | 'namespace' | 'workload'>, signal?: AbortSignal): Promise<SecretOutcome>;
  close(): void;
}

/** Whether the listing reached the cluster, in the words of a scan result. */
function reachOf(listing: ClusterListing): ClusterReach {
  const f = listing.failure;
  if (f) {
    const state =
      f.code === 'UNREACHABLE' || f.code === 'TIMEOUT' ? 'unreachable' : f.code === 'FORBIDDEN' || f.code === 'UNAUTHORIZED' ? 'forbidden' : 'error';
    return { cluster: listing.cluster, state, reason: f.message };
  }
  const refused = [...listing.forbidden.keys()];
  return { cluster: listing.cluster, state: 'reachable', reason: refused.length > 0 ? `Listing was refused in namespace(s) ${refused.join(', ')}.` : null };
}

function asContract(error: unknown): ContractError {
  if (error instanceof TesseraError) return error.toContract();
  return { code: 'INTERNAL', message: `Unexpected failure (${error instanceof Error ? error.name : typeof error}).` };
}

export function createKubeService(options: KubeServiceOptions): KubeService {
  const ownership = options.ownership ?? memoryOwnership();
  /** Marks the listed Secrets Tessera recorded creating or adopting; the rest only claim to be Tessera's. */
  const markOwned = (listing: ClusterListing) => {
    const owned = ownership.ofCluster(listing.cluster);
    for (const s of listing.secrets) {
      s.owned = s.uid !== null && owned.get(`${s.namespace}/${s.name}`) === s.uid;
      // A Secret whose write lost its answer carries the write id Tessera recorded: Tessera's own, recorded now.
      if (!s.owned && s.writeId !== null) s.owned = recognise(ownership, listing.cluster, s.namespace, s.name, s) !== null;
    }
  };
  const limiter = createLimiter(options.limits().concurrency);
  const timeoutMs = () => options.requestTimeoutMs ?? options.limits().requestTimeoutSeconds * 1000;
  const registry = createClusterRegistry({
    sources: options.sources,
    labels: options.labels,
    execTimeoutMs: () => options.execTimeoutMs ?? Math.max(timeoutMs(), 10_000),
    client: {
      limiter,
      timeoutMs,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
      ...(options.networkRetries === undefined ? {} : { networkRetries: options.networkRetries }),
      ...(options.circuitCooldownMs === undefined ? {} : { circuitCooldownMs: options.circuitCooldownMs }),
      observer: options.observer,
    },
    onChange: (list) => options.events?.emit('kube.contexts.changed', list),
  });
  if (options.watch) registry.watch();

  const syncLimits = () => limiter.setLimit(options.limits().concurrency);
  const allClusters = () => [...registry.contexts().contexts.keys()];
  const known = (names: string[]) => {
    const all = new Set(allClusters());
    const unknown = names.filter((n) => !all.has(n));
    if (unknown.length > 0)
      throw new TesseraError('NOT_FOUND', `There is no kubeconfig context named ${unknown.map((u) => `"${u}"`).join(', ')}.`, { field: 'clusters' });
    return names;
  };

  const publicationOf = async (app: string): Promise<AppPublication> => {
    const pub = (await options.catalog().publications()).find((p) => p.app === app);
    if (!pub) throw new TesseraError('NOT_FOUND', `There is no published app named "${app}".`, { field: 'app' });
    return pub;
  };

  /** The clusters a provision/deprovision call acts on: explicit ones, those a selector picks, or where the app is published. */
  const targets = (input: TargetInput, pub: AppPublication | null): string[] => {
    if (input.clusters && input.clusters.length > 0) return known(input.clusters);
    const labels = options.labels.all();
    if (input.selector !== undefined && input.selector.trim() !== '') {
      const parsed = parseSelector(input.selector);
      if (!parsed.selector) throw new TesseraError('INVALID_INPUT', `"selector": ${parsed.error}`, { field: 'selector' });
      const sel = parsed.selector;
      return allClusters().filter((c) => matches(sel, labels.get(c) ?? {}));
    }
    if (!pub) return allClusters();
    return allClusters().filter((c) => isTargeted(pub, c, labels.get(c) ?? {}));
  };

  const outcome = (cluster: string): ClusterOutcome => ({ cluster, ok: true, secrets: [], error: null });
  const record = (o: ClusterOutcome, s: SecretOutcome) =>
    o.secrets.push({ namespace: s.namespace, name: s.name, action: s.action, resourceVersion: s.resourceVersion, wiring: s.wiring });
  const fail = (o: ClusterOutcome, error: unknown) => {
    o.ok = false;
    o.error ??= asContract(error);
  };
  const order = new Map<string, number>();
  /** The cluster's client; requests of clusters earlier in a run go first, so clusters finish one after another. */
  const clientOf = (cluster: string): KubeClient => {
    if (!order.has(cluster)) order.set(cluster, order.size);
    return withPriority(registry.client(cluster), order.get(cluster)!);
  };
  const clientOr = (o: ClusterOutcome): KubeClient | null => {
    try {
      return clientOf(o.cluster);
    } catch (error) {
      fail(o, error);
      return null;
    }
  };

  const service: KubeService = {
    registry,
    limiter,
    clusters: () => registry.clusters(),
    setLabels: (cluster, set, remove) => registry.setLabels(cluster, set, remove),

    async probe(clusters, signal) {
      syncLimits();
      const names = clusters && clusters.length > 0 ? known(clusters) : allClusters();
      const pubs = await options.catalog().publications();
      const labels = options.labels.all();
      return Promise.all(
        names.map(async (cluster): Promise<ProbeResult> => {
          try {
            const client = clientOf(cluster);
            const ns = fallbackNamespaces(cluster, labels.get(cluster) ?? {}, pubs, registry.contexts().contexts.get(cluster)?.context.namespace ?? 'default');
            return await probeCluster(client, ns, signal);
          } catch (error) {
            return { cluster, reachable: false, serverVersion: null, latencyMs: null, error: asContract(error), access: [] };
          }
        }),
      );
    },

    async scan(clusters, signal) {
      syncLimits();
      const names = clusters && clusters.length > 0 ? known(clusters) : allClusters();
      const pubs = await options.catalog().publications();
      const labels = options.labels.all();
      const result: ScanResult = {
        scanId: randomUUID(),
        startedAt: new Date().toISOString(),
        finishedAt: null,
        apps: [],
        clusters: names,
        cells: [],
        cancelled: false,
      };
      const perCluster = new Map<string, { cells: MatrixCell[]; failed: ContractError | null }>();
      const reach = new Map<string, ClusterReach>();
      let done = 0;
      const stragglers = new Map<string, { own: AbortController; late: boolean }>();
      const tailSize = Math.max(1, Math.ceil(names.length * 0.02));
      const tailMs = 3 * timeoutMs() + 5000;
      let tailTimer: ReturnType<typeof setTimeout> | null = null;
      await Promise.all(
        names.map(async (cluster) => {
          const clusterLabels = labels.get(cluster) ?? {};
          let listing: ClusterListing;
          let wiring = new Map<string, WiringDrift | null>();
          const own = new AbortController();
          const stop = () => own.abort();
          signal?.addEventListener('abort', stop, { once: true });
          const reading = { own, late: false };
          stragglers.set(cluster, reading);
          try {
            const client = clientOf(cluster);
            const ns = fallbackNamespaces(cluster, clusterLabels, pubs, registry.contexts().contexts.get(cluster)?.context.namespace ?? null);
            listing = await listManagedSecrets(client, ns, own.signal);
            markOwned(listing);
            wiring = await scanWiring(client, clusterLabels, pubs, listing, own.signal);
          } catch (error) {
            const failure = reading.late
              ? new TesseraError(
                  'UNREACHABLE',
                  `Cluster "${cluster}" had not answered ${Math.round(tailMs / 1000)} s after every other cluster had; the scan went on without it.`,
                  { details: { cluster } },
                )
              : error;
            if (!reading.late && error instanceof TesseraError && error.code === 'CANCELLED') result.cancelled = true;
            listing = { cluster, namespaces: null, secrets: [], forbidden: new Map(), failure: asContract(failure) };
          } finally {
            stragglers.delete(cluster);
            signal?.removeEventListener('abort', stop);
          }
          reach.set(cluster, reachOf(listing));
          const cells = cellsForCluster(cluster, clusterLabels, pubs, listing, wiring);
          perCluster.set(cluster, { cells, failed: listing.failure });
          done++;
          // The tail: once all but a few clusters have answered, the rest get three request
          // timeouts and 5 s more, then stop, so one silent cluster never holds the scan through
          // every retry. (A deadline from the start would cut off clusters still queued
          // behind the concurrency limit on a large fleet.)
          if (tailTimer === null && stragglers.size > 0 && stragglers.size <= tailSize) {
            tailTimer = setTimeout(() => {
              for (const r of stragglers.values()) {
                r.late = true;
                r.own.abort();
              }
            }, tailMs);
          }
          options.events?.emit('scan.progress', {
            scanId: result.scanId,
            cluster,
            cells: cells.map((c) => ({ app: c.app, state: c.state })),
            done,
            total: names.length,
          });
        }),
      );
      if (tailTimer !== null) clearTimeout(tailTimer);
      const apps = new Set(pubs.map((p) => p.app));
      for (const { cells } of perCluster.values()) for (const c of cells) apps.add(c.app);
      result.apps = [...apps].sort();
      for (const cluster of names) {
        const entry = perCluster.get(cluster)!;
        const have = new Set(entry.cells.map((c) => c.app));
        for (const app of result.apps) {
          if (have.has(app)) continue;
          if (entry.failed) {
            const state = entry.failed.code === 'UNREACHABLE' || entry.failed.code === 'TIMEOUT' ? 'unreachable' : 'error';
            entry.cells.push({ app, cluster, state, reason: entry.failed.message, secrets: [] });
          } else entry.cells.push({ app, cluster, state: 'not-targeted', reason: `${app} is not published to this cluster.`, secrets: [] });
        }
        entry.cells.sort((a, b) => (a.app < b.app ? -1 : 1));
        result.cells.push(...entry.cells);
      }
      result.reachability = names.map((cluster) => reach.get(cluster) ?? { cluster, state: 'error', reason: 'The scan did not finish for this cluster.' });
      result.finishedAt = new Date().toISOString();
      try {
        // A scan of some clusters (a plan's scope, a rescan after a rollout) must not make the
        // others look empty: what is stored keeps the previous scan's cells for them, with the
        // time they were read. The caller still gets only what it asked for.
        options.scans.save(clusters && clusters.length > 0 ? withEarlierClusters(result, options.scans.last()) : result);
      } catch (error) {
        options.log?.warn('the scan could not be saved', { error: error instanceof Error ? error.name : 'unknown' });
      }
      return result;
    },

    lastScan: () => options.scans.last(),

    async provision(input, signal) {
      syncLimits();
      const pub = await publicationOf(input.app);
      const names = targets(input, pub);
      const outcomes = new Map(names.map((c) => [c, outcome(c)]));
      for (const spec of pub.secrets) {
        const live = [...outcomes.values()].filter((o) => o.ok);
        if (live.length === 0) break;
        try {
          await options.catalog().withValues(spec, async (values) => {
            await Promise.all(
              live.map(async (o) => {
                const client = clientOr(o);
                if (!client) return;
                try {
                  record(
                    o,
                    await provisionVersion(client, spec, values, {
                      ownership,
                      signal,
                      principal: options.principal?.() ?? 'tessera',
                      overwrite: input.overwrite === true,
                    }),
                  );
                } catch (error) {
                  fail(o, error);
                }
              }),
            );
          });
        } catch (error) {
          // The values could not be opened (token locked, tampered version): every cluster fails alike.
          for (const o of live) fail(o, error);
        }
      }
      return [...outcomes.values()];
    },

    async deprovision(input, signal) {
      syncLimits();
      const pub = (await options.catalog().publications()).find((p) => p.app === input.app) ?? null;
      const names = targets(input, pub);
      return Promise.all(
        names.map(async (cluster) => {
          const o = outcome(cluster);
          const client = clientOr(o);
          if (!client) return o;
          try {
            const specs: Pick<SecretSpec, 'app' | 'name' | 'namespace' | 'workload'>[] = pub ? [...pub.secrets] : [];
            // Secrets of the app Tessera wrote but the catalog no longer lists (renamed, deleted app).
            const res = await client.request({
              method: 'GET',
              path: '/api/v1/secrets',
              accept: METADATA_LIST_ACCEPT,
              query: { labelSelector: `${MANAGED_BY}=${MANAGED_BY_VALUE},${APP_LABEL}=${input.app}` },
              signal,
            });
            if (res.status === 200) {
              const list = JSON.parse(res.body.toString('utf8')) as {
                items?: { metadata: { name: string; namespace: string; uid?: string; annotations?: Record<string, string>; managedFields?: unknown } }[];
              };
              for (const item of list.items ?? []) {
                // Only Secrets Tessera recorded creating or adopting: a copied label makes nothing deletable.
                const m = item.metadata;
                if (!recognise(ownership, cluster, m.namespace, m.name, { ...m, writeId: m.annotations?.[WRITE_ID_ANNOTATION] })) continue;
                if (!specs.some((s) => s.namespace === item.metadata.namespace && s.name === item.metadata.name)) {
                  specs.push({ app: input.app, name: item.metadata.name, namespace: item.metadata.namespace, workload: null });
                }
              }
            }
            for (const spec of specs) record(o, await deprovisionSecret(client, spec, { signal, ownership }));
          } catch (error) {
            fail(o, error);
          }
          return o;
        }),
      );
    },

    async verify(cells, signal) {
      syncLimits();
      const pubs = await options.catalog().publications();
      const results = new Map<string, { app: string; cluster: string; states: MatrixCell['secrets'] }>();
      const key = (app: string, cluster: string) => `${app}\u0000${cluster}`;
      for (const c of cells) results.set(key(c.app, c.cluster), { app: c.app, cluster: c.cluster, states: [] });
      const errors = new Map<string, ContractError>();
      const byApp = new Map<string, string[]>();
      for (const c of cells) byApp.set(c.app, [...(byApp.get(c.app) ?? []), c.cluster]);
      for (const [app, clusters] of byApp) {
        const pub = pubs.find((p) => p.app === app);
        if (!pub) {
          for (const c of clusters) errors.set(key(app, c), { code: 'NOT_FOUND', message: `There is no published app named "${app}".` });
          continue;
        }
        for (const spec of pub.secrets) {
          try {
            await options.catalog().withValues(spec, async (values) => {
              await Promise.all(
                clusters.map(async (cluster) => {
                  if (errors.has(key(app, cluster))) return;
                  try {
                    results.get(key(app, cluster))!.states.push(await verifySecret(clientOf(cluster), spec, values, signal));
                  } catch (error) {
                    errors.set(key(app, cluster), asContract(error));
                  }
                }),
              );
            });
          } catch (error) {
            for (const c of clusters) if (!errors.has(key(app, c))) errors.set(key(app, c), asContract(error));
          }
        }
      }
      return [...results.entries()].map(([k, r]): VerifyResult => {
        const error = errors.get(k);
        if (error) {
          const state = error.code === 'UNREACHABLE' || error.code === 'TIMEOUT' ? 'unreachable' : error.code === 'FORBIDDEN' ? 'forbidden' : 'error';
          return { app: r.app, cluster: r.cluster, state, reason: error.message };
        }
        const state = worstState(r.states.map((s) => s.state));
        return {
          app: r.app,
          cluster: r.cluster,
          state,
          reason: r.states
            .filter((s) => s.state === state)
            .map((s) => s.reason)
            .join(' '),
        };
      });
    },

    async provisionVersion(cluster, spec, values, provisionOptions = {}) {
      return provisionVersion(registry.client(cluster), spec, values, { principal: options.principal?.() ?? 'tessera', ownership, ...provisionOptions });
    },

    async deprovisionSecret(cluster, spec, signal) {
      return deprovisionSecret(registry.client(cluster), spec, { signal, ownership });
    },

    close() {
      registry.close();
    },
  };
  return service;
}

/** `scan` plus the clusters an earlier scan read and this one did not, marked with their time. */
export function withEarlierClusters(scan: ScanResult, earlier: ScanResult | null): ScanResult {
  if (!earlier) return scan;
  const scanned = new Set(scan.clusters);
  const kept = earlier.clusters.filter((c) => !scanned.has(c));
  if (kept.length === 0) return scan;
  const keptSet = new Set(kept);
  const earlierAt = earlier.finishedAt ?? earlier.startedAt;
  const times: Record<string, string> = {};
  for (const c of kept) times[c] = earlier.clusterScannedAt?.[c] ?? earlierAt;
  return {
    ...scan,
    apps: [...new Set([...scan.apps, ...earlier.apps])].sort(),
    clusters: [...scan.clusters, ...kept],
    cells: [...scan.cells, ...earlier.cells.filter((c) => keptSet.has(c.cluster))],
    ...(scan.reachability ? { reachability: [...scan.reachability, ...(earlier.reachability ?? []).filter((r) => keptSet.has(r.cluster))] } : {}),
    clusterScannedAt: times,
  };
}
