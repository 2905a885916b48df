// The scan: one metadata-only LIST of Tessera-managed Secrets per cluster (per namespace where
// RBAC refuses the cluster-wide list), then the (app, cluster) cells computed from it. No Secret
// value ever crosses the wire here: the Accept header asks for PartialObjectMetadataList.
import { TesseraError, type ContractError } from '../../../shared/contract/index.ts';
import { worstState, type CellState, type MatrixCell, type SecretCell, type WiringDrift } from '../../../shared/domain/cell-state.ts';
import { matches, parseSelector, type LabelSelector } from '../../../shared/domain/labels.ts';
import type { KubeClient } from './http-client.ts';
import { dataOwnership } from './managed-fields.ts';
import { wiringDriftSentence } from './wiring.ts';
import {
  APP_LABEL,
  KEYS_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_VALUE,
  METADATA_LIST_ACCEPT,
  VERSION_ANNOTATION,
  WRITE_ID_ANNOTATION,
  type AppPublication,
  type SecretSpec,
} from './types.ts';

export interface LiveSecret {
  namespace: string;
  name: string;
  uid: string | null;
  app: string | null;
  versionId: string | null;
  annotatedKeys: string[];
  managedFields: unknown;
  /** The write id Tessera's write put in the annotation (tessera.dev/write-id), if any. */
  writeId: string | null;
  /** Tessera recorded creating or adopting this very Secret (its uid); false: it only carries the label. */
  owned: boolean;
}

export interface ClusterListing {
  cluster: string;
  /** null: listed cluster-wide. Otherwise the namespaces listed one by one. */
  namespaces: string[] | null;
  secrets: LiveSecret[];
  /** Namespaces whose list was refused (403). */
  forbidden: Map<string, string>;
  /** Set when the cluster could not be listed at all. */
  failure: ContractError | null;
}

interface PartialMeta {
  metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: unknown };
}

function toLive(item: PartialMeta): LiveSecret {
  const m = item.metadata;
  const keys = m.annotations?.[KEYS_ANNOTATION];
  return {
    namespace: m.namespace,
    name: m.name,
    uid: m.uid ?? null,
    app: m.labels?.[APP_LABEL] ?? null,
    versionId: m.annotations?.[VERSION_ANNOTATION] ?? null,
    annotatedKeys: keys
      ? keys
          .split(',')
          .filter((k) => k !== '')
          .sort()
      : [],
    managedFields: m.managedFields,
    writeId: m.annotations?.[WRITE_ID_ANNOTATION] ?? null,
    owned: false,
  };
}

async function listAll(client: KubeClient, path: string, signal?: AbortSignal): Promise<LiveSecret[]> {
  const out: LiveSecret[] = [];
  let cont: string | undefined;
  do {
    const req = {
      method: 'GET' as const,
      path,
      accept: METADATA_LIST_ACCEPT,
      query: { labelSelector: `${MANAGED_BY}=${MANAGED_BY_VALUE}`, limit: '500', continue: cont },
      signal,
    };
    const res = await client.requestOk(req);
    const list = JSON.parse(res.body.toString('utf8')) as { kind?: string; items?: PartialMeta[]; metadata?: { continue?: string } };
    if (list.kind !== 'PartialObjectMetadataList') {
      res.body.fill(0);
      throw new TesseraError(
        'INTERNAL',
        `Cluster "${client.cluster}" did not return a metadata-only list (got ${String(list.kind)}); the scan stopped so that no values are read.`,
        { details: { cluster: client.cluster } },
      );
    }
    for (const item of list.items ?? []) out.push(toLive(item));
    cont = list.metadata?.continue || undefined;
  } while (cont);
  return out;
}

function contractError(error: unknown): ContractError {
  if (error instanceof TesseraError) return error.toContract();
  return { code: 'INTERNAL', message: error instanceof Error ? error.name : 'unexpected failure' };
}

/** Lists managed Secrets on one cluster; falls back to per-namespace lists on 403. Never throws except CANCELLED. */
export async function listManagedSecrets(client: KubeClient, fallbackNamespaces: string[], signal?: AbortSignal): Promise<ClusterListing> {
  const listing: ClusterListing = { cluster: client.cluster, namespaces: null, secrets: [], forbidden: new Map(), failure: null };
  try {
    listing.secrets = await listAll(client, '/api/v1/secrets', signal);
    return listing;
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'CANCELLED') throw error;
    if (!(error instanceof TesseraError) || error.code !== 'FORBIDDEN') {
      listing.failure = contractError(error);
      return listing;
    }
  }
  listing.namespaces = [...new Set(fallbackNamespaces)].sort();
  for (const ns of listing.namespaces) {
    try {
      listing.secrets.push(...(await listAll(client, `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`, signal)));
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'CANCELLED') throw error;
      if (error instanceof TesseraError && error.code === 'FORBIDDEN') listing.forbidden.set(ns, error.message);
      else {
        listing.failure = contractError(error);
        return listing;
      }
    }
  }
  return listing;
}

/**
 * Whether the app belongs on this cluster now: the operator published it there, and its
 * targeting allows it (included or selected by labels, not excluded). Targeting says where an
 * app may go; publishing says it should be there — just in time.
 */
export function isTargeted(publication: AppPublication, cluster: string, labels: Record<string, string>): boolean {
  const t = compiledTargeting(publication);
  if (t.exclude.has(cluster) || !t.published.has(cluster)) return false;
  if (t.include.has(cluster)) return true;
  return t.selector !== null && matches(t.selector, labels);
}

/** A publication's targeting as Sets and a parsed selector: built once, then each (app, cluster) check is O(1). */
interface CompiledTargeting {
  source: { published: string[]; include: string[]; exclude: string[]; selector: string; lengths: number };
  published: Set<string>;
  include: Set<string>;
  exclude: Set<string>;
  /** null: selects nothing (empty or unparsable selector). */
  selector: LabelSelector | null;
}

const compiled = new WeakMap<AppPublication, CompiledTargeting>();

function compiledTargeting(publication: AppPublication): CompiledTargeting {
  const t = publication.targeting;
  const lengths = publication.published.length * 1e6 + t.include.length * 1e3 + t.exclude.length;
  const hit = compiled.get(publication);
  // Reused while the publication keeps the same lists and selector (a scan or a plan checks one
  // publication against every cluster); anything changed in place is compiled again.
  if (
    hit &&
    hit.source.published === publication.published &&
    hit.source.include === t.include &&
    hit.source.exclude === t.exclude &&
    hit.source.selector === t.selector &&
    hit.source.lengths === lengths
  )
    return hit;
  const parsed = t.selector.trim() === '' ? null : parseSelector(t.selector).selector;
  const next: CompiledTargeting = {
    source: { published: publication.published, include: t.include, exclude: t.exclude, selector: t.selector, lengths },
    published: new Set(publication.published),
    include: new Set(t.include),
    exclude: new Set(t.exclude),
    selector: parsed,
  };
  compiled.set(publication, next);
  return next;
}

function secretCell(spec: SecretSpec | null, live: LiveSecret | null, state: CellState, reason: string, ns: string, name: string): SecretCell {
  return {
    namespace: ns,
    name,
    state,
    reason,
    liveVersionId: live?.versionId ?? null,
    publishedVersionId: spec?.versionId ?? null,
    uid: live?.uid ?? null,
    keysAdded: [],
    keysRemoved: [],
    drift: [],
  };
}

/** The state of one managed Secret compared with the version the vault publishes (and its wiring, when read). */
export function compareSecret(spec: SecretSpec, live: LiveSecret, wiring: WiringDrift | null = null): SecretCell {
  const cell = secretCell(spec, live, 'in-sync', '', spec.namespace, spec.name);
  const owned = dataOwnership(live.managedFields);
  const annotated = new Set(live.annotatedKeys);
  const liveKeys = new Set(owned.liveKeys);
  cell.keysAdded = owned.liveKeys.filter((k) => !annotated.has(k));
  cell.keysRemoved = live.annotatedKeys.filter((k) => !liveKeys.has(k));
  cell.drift = owned.foreign;
  const parts: string[] = [];
  if (cell.keysAdded.length > 0) parts.push(`keys added out of band: ${cell.keysAdded.join(', ')}`);
  if (cell.keysRemoved.length > 0) parts.push(`keys removed out of band: ${cell.keysRemoved.join(', ')}`);
  for (const d of cell.drift) parts.push(`"${d.manager}" (${d.operation || 'write'}${d.time ? ` at ${d.time}` : ''}) changed ${d.keys.join(', ')}`);
  if (wiring) {
    cell.wiring = [wiring];
    parts.push(wiringDriftSentence(wiring));
  }
  if (parts.length > 0) {
    cell.state = 'drifted';
    cell.reason = `Secret ${spec.namespace}/${spec.name} drifted: ${parts.join('; ')}.`;
  } else if (live.versionId !== spec.versionId) {
    cell.state = 'outdated';
    cell.reason = `Secret ${spec.namespace}/${spec.name} holds version ${live.versionId ?? '(none)'}; ${spec.versionId} is published.`;
  } else {
    cell.reason = `Secret ${spec.namespace}/${spec.name} holds the published version ${spec.versionId}.`;
  }
  return cell;
}

export const wiringKey = (app: string, namespace: string, secret: string) => `${app}\u0000${namespace}\u0000${secret}`;

/** All cells of one cluster. `apps` lists every app of the matrix (published ones and any found live). */
export function cellsForCluster(
  cluster: string,
  labels: Record<string, string>,
  publications: AppPublication[],
  listing: ClusterListing,
  /** Wiring drift by wiringKey(app, namespace, secret), for the Secrets whose workloads were read. */
  wiring: ReadonlyMap<string, WiringDrift | null> = new Map(),
): MatrixCell[] {
  const byApp = new Map(publications.map((p) => [p.app, p]));
  const liveByApp = new Map<string, LiveSecret[]>();
  for (const s of listing.secrets) {
    const app = s.app ?? '(no app label)';
    const list = liveByApp.get(app) ?? [];
    list.push(s);
    liveByApp.set(app, list);
  }
  const apps = [...new Set([...byApp.keys(), ...liveByApp.keys()])].sort();
  const cells: MatrixCell[] = [];
  for (const app of apps) {
    const publication = byApp.get(app);
    const targeted = publication !== undefined && isTargeted(publication, cluster, labels);
    if (listing.failure) {
      const unreachable = listing.failure.code === 'UNREACHABLE' || listing.failure.code === 'TIMEOUT';
      cells.push({ app, cluster, state: unreachable ? 'unreachable' : 'error', reason: listing.failure.message, secrets: [] });
      continue;
    }
    const live = liveByApp.get(app) ?? [];
    const secrets: SecretCell[] = [];
    const matched = new Set<LiveSecret>();
    if (targeted) {
      for (const spec of publication.secrets) {
        const forbidden = listing.forbidden.get(spec.namespace);
        const found = live.find((l) => l.namespace === spec.namespace && l.name === spec.name) ?? null;
        if (found && !found.owned) {
          matched.add(found);
          secrets.push(secretCell(spec, found, 'claimed', claimSentence(found), spec.namespace, spec.name));
        } else if (found) {
          matched.add(found);
          secrets.push(compareSecret(spec, found, wiring.get(wiringKey(app, spec.namespace, spec.name)) ?? null));
        } else if (forbidden !== undefined) {
          secrets.push(secretCell(spec, null, 'forbidden', forbidden, spec.namespace, spec.name));
        } else if (listing.namespaces !== null && !listing.namespaces.includes(spec.namespace)) {
          secrets.push(secretCell(spec, null, 'error', `Namespace ${spec.namespace} was not listed.`, spec.namespace, spec.name));
        } else {
          secrets.push(secretCell(spec, null, 'missing', `Secret ${spec.namespace}/${spec.name} is not on the cluster.`, spec.namespace, spec.name));
        }
      }
    }
    for (const l of live) {
      if (matched.has(l)) continue;
      if (!l.owned) {
        secrets.push(secretCell(null, l, 'claimed', claimSentence(l), l.namespace, l.name));
        continue;
      }
      const why =
        publication === undefined ? `app ${app} is not published` : targeted ? `it is not one of ${app}'s secrets` : `${app} is not published to this cluster`;
      secrets.push(secretCell(null, l, 'orphaned', `Managed Secret ${l.namespace}/${l.name} is live but ${why}.`, l.namespace, l.name));
    }
    if (secrets.length === 0) {
      cells.push({ app, cluster, state: 'not-targeted', reason: `${app} is not published to this cluster.`, secrets: [] });
      continue;
    }
    const state = worstState(secrets.map((s) => s.state));
    const reason = secrets
      .filter((s) => s.state === state)
      .map((s) => s.reason)
      .join(' ');
    cells.push({ app, cluster, state, reason, secrets });
  }
  return cells;
}

/** Why a label-only Secret is left alone, in the matrix and in plans. */
export function claimSentence(l: Pick<LiveSecret, 'namespace' | 'name'>): string {
  return `Secret ${l.namespace}/${l.name} claims to be Tessera's (it carries Tessera's label) but Tessera did not create or adopt it, so Tessera never changes or deletes it; adopt it to let Tessera manage it.`;
}

/** Namespaces to list one by one when the cluster-wide list is refused. */
export function fallbackNamespaces(cluster: string, labels: Record<string, string>, publications: AppPublication[], contextNamespace: string | null): string[] {
  const out = new Set<string>();
  for (const p of publications) if (isTargeted(p, cluster, labels)) for (const s of p.secrets) out.add(s.namespace);
  if (contextNamespace) out.add(contextNamespace);
  return [...out];
}
