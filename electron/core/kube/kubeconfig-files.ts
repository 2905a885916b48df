// Reads kubeconfig files and merges them the way kubectl does: KUBECONFIG is a path list,
// the first file to define a name wins, current-context comes from the first file that sets one.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KubeContext, KubeContextList } from '../../../shared/contract/index.ts';

export interface KubeconfigSources {
  /** The KUBECONFIG value (path list), or undefined to use ~/.kube/config. */
  kubeconfigEnv?: string | undefined;
  /** Extra files from settings, merged after the others. */
  extraFiles?: string[];
  home?: string;
}

export function kubeconfigFileList(sources: KubeconfigSources): string[] {
  const fromEnv = (sources.kubeconfigEnv ?? '').split(delimiter).filter((p) => p.trim() !== '');
  const base = fromEnv.length > 0 ? fromEnv : [join(sources.home ?? homedir(), '.kube', 'config')];
  const files: string[] = [];
  for (const file of [...base, ...(sources.extraFiles ?? [])]) {
    const absolute = resolve(file);
    if (!files.includes(absolute)) files.push(absolute);
  }
  return files;
}

interface NamedEntry {
  name?: unknown;
  [key: string]: unknown;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function namedList(value: unknown, what: string, file: string): NamedEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${file}: "${what}" must be a list.`);
  return value.map((entry, index) => {
    const record = asRecord(entry);
    if (typeof record.name !== 'string' || record.name === '') {
      throw new Error(`${file}: ${what}[${index}] has no name.`);
    }
    return record;
  });
}

export interface ParsedKubeconfig {
  file: string;
  currentContext: string | null;
  contexts: NamedEntry[];
  clusters: NamedEntry[];
  users: NamedEntry[];
}

/** Parses one file; throws an Error whose message names the file and what is wrong. */
export function parseKubeconfigFile(file: string, text: string): ParsedKubeconfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unreadable';
    throw new Error(`${file} is not valid YAML: ${reason}`, { cause: error });
  }
  if (doc === null || doc === undefined) {
    return { file, currentContext: null, contexts: [], clusters: [], users: [] };
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file} is not a kubeconfig: expected a mapping at the top.`);
  const root = asRecord(doc);
  const current = root['current-context'];
  return {
    file,
    currentContext: typeof current === 'string' && current !== '' ? current : null,
    contexts: namedList(root.contexts, 'contexts', file),
    clusters: namedList(root.clusters, 'clusters', file),
    users: namedList(root.users, 'users', file),
  };
}

/** A context with the raw cluster and user entries it points at, each with the file that defined it. */
export interface ResolvedContext {
  context: KubeContext;
  /** The `cluster:` mapping, or null when no file defines the named cluster. */
  cluster: Record<string, unknown> | null;
  clusterFile: string | null;
  /** The `user:` mapping, or null when no file defines the named user. */
  user: Record<string, unknown> | null;
  userFile: string | null;
}

export interface LoadedKubeconfig {
  list: KubeContextList;
  contexts: Map<string, ResolvedContext>;
}

/** Reads and merges every file; one unreadable file is a problem entry, never an exception. */
export function loadKubeconfig(sources: KubeconfigSources): LoadedKubeconfig {
  const files = kubeconfigFileList(sources);
  const problems: KubeContextList['problems'] = [];
  const parsed: ParsedKubeconfig[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // kubectl ignores a missing file in the list; we say so only when it is the only one.
      if (code === 'ENOENT') {
        if (files.length === 1) problems.push({ file, message: `${file} does not exist.` });
        continue;
      }
      problems.push({ file, message: `${file} cannot be read (${code ?? 'error'}).` });
      continue;
    }
    try {
      parsed.push(parseKubeconfigFile(file, text));
    } catch (error) {
      problems.push({ file, message: (error as Error).message });
    }
  }

  const firstWins = <T extends NamedEntry>(lists: { entry: T; file: string }[]) => {
    const map = new Map<string, { entry: T; file: string }>();
    for (const item of lists) if (!map.has(item.entry.name as string)) map.set(item.entry.name as string, item);
    return map;
  };
  const contexts = firstWins(parsed.flatMap((p) => p.contexts.map((entry) => ({ entry, file: p.file }))));
  const clusters = firstWins(parsed.flatMap((p) => p.clusters.map((entry) => ({ entry, file: p.file }))));
  const users = firstWins(parsed.flatMap((p) => p.users.map((entry) => ({ entry, file: p.file }))));
  const currentContext = parsed.find((p) => p.currentContext !== null)?.currentContext ?? null;

  const result: KubeContext[] = [];
  const resolved = new Map<string, ResolvedContext>();
  for (const [name, { entry, file }] of contexts) {
    const ctx = asRecord(entry.context);
    const clusterName = typeof ctx.cluster === 'string' ? ctx.cluster : '';
    const userName = typeof ctx.user === 'string' ? ctx.user : '';
    const clusterItem = clusters.get(clusterName);
    const userItem = users.get(userName);
    const cluster = asRecord(clusterItem?.entry.cluster);
    const context: KubeContext = {
      name,
      cluster: clusterName,
      server: typeof cluster.server === 'string' ? cluster.server : null,
      user: userName,
      namespace: typeof ctx.namespace === 'string' && ctx.namespace !== '' ? ctx.namespace : null,
      source: file,
      current: name === currentContext,
    };
    result.push(context);
    resolved.set(name, {
      context,
      cluster: clusterItem ? cluster : null,
      clusterFile: clusterItem?.file ?? null,
      user: userItem ? asRecord(userItem.entry.user) : null,
      userFile: userItem?.file ?? null,
    });
  }
  return { list: { contexts: result, files, problems }, contexts: resolved };
}

export function listKubeContexts(sources: KubeconfigSources): KubeContextList {
  return loadKubeconfig(sources).list;
}
