// The cluster registry: every kubeconfig context is a cluster, with labels kept in the store.
// It follows the kubeconfig files (fs.watch on their folders, debounced) and keeps one client
// per context, rebuilt only when that context's entries change. A broken context is reported
// on its own row and never stops the others.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { TesseraError, type KubeClusterView, type KubeContextList } from '../../../shared/contract/index.ts';
import { createEndpoint, describeAuth } from './credentials.ts';
import { createKubeClient, type ClientOptions, type KubeClient } from './http-client.ts';
import { loadKubeconfig, type KubeconfigSources, type LoadedKubeconfig, type ResolvedContext } from './kubeconfig-files.ts';

/** Where cluster labels live (the vault's clusters table). */
export interface ClusterLabelStore {
  all(): Map<string, Record<string, string>>;
  set(cluster: string, labels: Record<string, string>, source: string): void;
}

/** Labels in memory only (tests, or no store). */
export function memoryLabelStore(initial: Record<string, Record<string, string>> = {}): ClusterLabelStore {
  const map = new Map(Object.entries(initial));
  return { all: () => new Map(map), set: (c, l) => void map.set(c, { ...l }) };
}

export interface RegistryOptions {
  sources: () => KubeconfigSources;
  labels: ClusterLabelStore;
  client: Omit<ClientOptions, 'limiter' | 'timeoutMs'> & Pick<ClientOptions, 'limiter' | 'timeoutMs'>;
  execTimeoutMs: () => number;
  onChange?: (list: KubeContextList) => void;
  debounceMs?: number;
}

export interface ClusterRegistry {
  contexts(): LoadedKubeconfig;
  clusters(): KubeClusterView[];
  labelsOf(cluster: string): Record<string, string>;
  setLabels(cluster: string, set: Record<string, string>, remove: string[]): KubeClusterView;
  /** The client of one context; throws NOT_FOUND or INVALID_INPUT (broken context). */
  client(cluster: string): KubeClient;
  /** Reload the kubeconfig files now. */
  reload(): KubeContextList;
  /** Start following the files (idempotent). */
  watch(): void;
  close(): void;
}

function fingerprint(r: ResolvedContext): string {
  return createHash('sha256')
    .update(JSON.stringify([r.cluster, r.clusterFile, r.user, r.userFile]))
    .digest('hex');
}

export function createClusterRegistry(options: RegistryOptions): ClusterRegistry {
  let loaded: LoadedKubeconfig | null = null;
  const clients = new Map<string, { fp: string; client: KubeClient }>();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | null = null;
  let watching = false;

  const load = (): LoadedKubeconfig => {
    loaded = loadKubeconfig(options.sources());
    for (const [name, entry] of clients) {
      const r = loaded.contexts.get(name);
      if (!r || fingerprint(r) !== entry.fp) {
        entry.client.close();
        clients.delete(name);
      }
    }
    if (watching) syncWatchers();
    return loaded;
  };
  const current = () => loaded ?? load();

  const syncWatchers = () => {
    const dirs = new Map<string, Set<string>>();
    for (const f of current().list.files) {
      const set = dirs.get(dirname(f)) ?? new Set<string>();
      set.add(basename(f));
      dirs.set(dirname(f), set);
    }
    for (const [dir, w] of watchers) {
      if (!dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const [dir, names] of dirs) {
      if (watchers.has(dir)) continue;
      try {
        // Watch the folder, not the file: editors and kubectl replace files by rename.
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name !== null && !names.has(String(name))) return;
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => {
            timer = null;
            const list = load().list;
            options.onChange?.(list);
          }, options.debounceMs ?? 250);
        });
        w.on('error', () => {
          w.close();
          watchers.delete(dir);
        });
        watchers.set(dir, w);
      } catch {
        // A folder that does not exist yet: picked up on the next reload.
      }
    }
  };

  const view = (name: string, labels: Map<string, Record<string, string>>): KubeClusterView => {
    const r = current().contexts.get(name);
    if (!r) throw new TesseraError('NOT_FOUND', `There is no kubeconfig context named "${name}".`, { details: { cluster: name } });
    let problem: string | null = null;
    if (!r.cluster) problem = `Its cluster "${r.context.cluster}" is not defined in any kubeconfig file.`;
    else if (!r.user && r.context.user !== '') problem = `Its user "${r.context.user}" is not defined in any kubeconfig file.`;
    else if (r.context.server === null) problem = 'Its cluster has no server URL.';
    return { ...r.context, labels: labels.get(name) ?? {}, auth: describeAuth(r), problem };
  };

  return {
    contexts: current,
    clusters() {
      const labels = options.labels.all();
      return [...current().contexts.keys()].map((name) => view(name, labels));
    },
    labelsOf(cluster) {
      return options.labels.all().get(cluster) ?? {};
    },
    setLabels(cluster, set, remove) {
      const r = current().contexts.get(cluster);
      if (!r) throw new TesseraError('NOT_FOUND', `There is no kubeconfig context named "${cluster}".`, { details: { cluster } });
      const next = { ...(options.labels.all().get(cluster) ?? {}) };
      for (const k of remove) delete next[k];
      Object.assign(next, set);
      options.labels.set(cluster, next, r.context.source);
      return view(cluster, options.labels.all());
    },
    client(cluster) {
      const r = current().contexts.get(cluster);
      if (!r) throw new TesseraError('NOT_FOUND', `There is no kubeconfig context named "${cluster}".`, { details: { cluster } });
      const fp = fingerprint(r);
      const hit = clients.get(cluster);
      if (hit && hit.fp === fp) return hit.client;
      hit?.client.close();
      const endpoint = createEndpoint(r, { execTimeoutMs: options.execTimeoutMs() });
      const client = createKubeClient(endpoint, options.client);
      clients.set(cluster, { fp, client });
      return client;
    },
    reload() {
      return load().list;
    },
    watch() {
      if (watching) return;
      watching = true;
      syncWatchers();
    },
    close() {
      watching = false;
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
      for (const c of clients.values()) c.client.close();
      clients.clear();
    },
  };
}
