// Wiring one Secret into one workload's pod template. Each (secret, workload) wiring is written
// by its own field manager (tessera/<app>/<secret>), so server-side apply keeps two secrets'
// entries apart: applying, changing or removing one never touches another's. The same managers
// let a scan read the wiring back from the workload's managedFields (metadata only) and name
// what someone removed.
import { createHash } from 'node:crypto';
import { TesseraError } from '../../../shared/contract/index.ts';
import { workloadKindRule, type WorkloadKind } from '../../../shared/domain/secret-rules.ts';
import type { WiringDrift } from '../../../shared/domain/cell-state.ts';
import type { KubeClient } from './http-client.ts';
import { httpError } from './http-client.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';
import { FIELD_MANAGER, METADATA_ACCEPT, type SecretSpec, type WorkloadRef } from './types.ts';

interface KindInfo {
  apiVersion: string;
  resource: string;
  /** Where the PodTemplateSpec sits in the object. */
  template: readonly string[];
}

const KINDS: Record<WorkloadKind, KindInfo> = {
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', template: ['spec', 'template'] },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', template: ['spec', 'template'] },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets', template: ['spec', 'template'] },
  CronJob: { apiVersion: 'batch/v1', resource: 'cronjobs', template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

const enc = encodeURIComponent;
const hash16 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);

/** Kubernetes refuses a field manager name longer than this. */
export const MAX_FIELD_MANAGER = 128;

/** The field manager of one secret's wiring: `tessera/<app>/<secret>`, shortened with a hash past 128 characters. */
export function wiringManager(app: string, secret: string): string {
  const full = `${FIELD_MANAGER}/${app}/${secret}`;
  if (full.length <= MAX_FIELD_MANAGER) return full;
  const tail = `~${hash16(`${app}/${secret}`)}`;
  return `${full.slice(0, MAX_FIELD_MANAGER - tail.length)}${tail}`;
}

/** True for every manager Tessera's wiring uses (per secret, and the single manager of earlier releases). */
export function isWiringManager(manager: string): boolean {
  return manager === FIELD_MANAGER || manager.startsWith(`${FIELD_MANAGER}/`);
}

/** The pod-template annotation holding one secret's version id (pods roll when it changes); one key per secret, so two secrets never share it. */
export function versionAnnotation(secret: string): string {
  return `version.tessera.dev/${secret.length <= 63 ? secret : `h-${hash16(secret)}`}`;
}

export function volumeName(secret: string): string {
  const name = `tessera-${secret}`;
  if (name.length <= 63) return name;
  return `tessera-${hash16(secret)}`;
}

export function mountPathOf(spec: Pick<SecretSpec, 'name' | 'mountPath'>): string {
  return spec.mountPath ?? `/var/run/secrets/tessera/${spec.name}`;
}

function kindInfo(cluster: string, ref: WorkloadRef): KindInfo {
  const rule = workloadKindRule(ref.kind);
  if (rule) throw new TesseraError('INVALID_INPUT', `The secret's workload kind ${rule}.`, { field: 'workload.kind', details: { cluster } });
  return KINDS[ref.kind as keyof typeof KINDS];
}

export function workloadPath(cluster: string, ns: string, ref: WorkloadRef): string {
  const info = kindInfo(cluster, ref);
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  return `${base}/namespaces/${enc(ns)}/${info.resource}/${enc(ref.name)}`;
}

function nest(path: readonly string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

function at(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The containers to wire on the live workload (the named one, or all), or null when the workload does not exist. */
export async function workloadContainers(client: KubeClient, ns: string, ref: WorkloadRef, signal?: AbortSignal): Promise<string[] | null> {
  const info = kindInfo(client.cluster, ref);
  const path = workloadPath(client.cluster, ns, ref);
  const res = await client.request({ method: 'GET', path, signal });
  if (res.status === 404) return null;
  if (res.status !== 200) throw httpError(client.cluster, { method: 'GET', path }, res);
  const live = JSON.parse(res.body.toString('utf8')) as unknown;
  const containers = at(live, [...info.template, 'spec', 'containers']);
  const names = (Array.isArray(containers) ? (containers as { name: string }[]) : []).map((c) => c.name);
  if (!ref.container) return names;
  if (!names.includes(ref.container)) {
    throw new TesseraError('NOT_FOUND', `${ref.kind} ${ns}/${ref.name} on cluster "${client.cluster}" has no container "${ref.container}".`, {
      details: { cluster: client.cluster },
    });
  }
  return [ref.container];
}

/** The apply configuration of one secret's wiring: env entries or a volume + mounts, and its pod-template annotation. */
export function wiringConfig(spec: SecretSpec, ref: WorkloadRef, containers: string[]): Record<string, unknown> {
  const info = kindInfo('', ref);
  const volume = volumeName(spec.name);
  const env = [...spec.keys].sort().map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: spec.name, key } } }));
  const podSpec: Record<string, unknown> =
    spec.delivery === 'env'
      ? { containers: containers.map((name) => ({ name, env })) }
      : {
          volumes: [{ name: volume, secret: { secretName: spec.name } }],
          containers: containers.map((name) => ({ name, volumeMounts: [{ name: volume, mountPath: mountPathOf(spec), readOnly: true }] })),
        };
  return {
    apiVersion: info.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: spec.namespace },
    ...nest(info.template, { metadata: { annotations: { [versionAnnotation(spec.name)]: spec.versionId } }, spec: podSpec }),
  };
}

/** An apply configuration with no fields: applying it under a secret's manager removes that secret's wiring and nothing else. */
export function emptyWiringConfig(namespace: string, ref: WorkloadRef): Record<string, unknown> {
  return { apiVersion: kindInfo('', ref).apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace } };
}

/** A workload's metadata (with managedFields), or null when it does not exist. No spec crosses the wire. */
export async function workloadMetadata(
  client: KubeClient,
  ns: string,
  ref: WorkloadRef,
  signal?: AbortSignal,
): Promise<{ uid?: string; managedFields?: unknown } | null> {
  const path = workloadPath(client.cluster, ns, ref);
  const req = { method: 'GET' as const, path, accept: METADATA_ACCEPT, signal };
  const res = await client.request(req);
  if (res.status === 404) return null;
  if (res.status !== 200) throw httpError(client.cluster, req, res);
  return (JSON.parse(res.body.toString('utf8')) as { metadata: { uid?: string; managedFields?: unknown } }).metadata;
}

type FieldSet = Record<string, unknown>;

const child = (node: unknown, key: string): FieldSet | undefined =>
  typeof node === 'object' && node !== null ? ((node as FieldSet)[key] as FieldSet | undefined) : undefined;

const fieldKey = (name: string, value: string) => `k:${JSON.stringify({ [name]: value })}`;

/**
 * What of one secret's wiring its manager no longer owns on the workload: a removed env entry,
 * volume, mount or annotation (fields removed from an object leave every manager's set).
 * Empty when all is there. `workloadMeta` null: the workload is gone.
 */
export function wiringDrift(
  spec: Pick<SecretSpec, 'app' | 'name' | 'namespace' | 'keys' | 'delivery' | 'mountPath' | 'workload'>,
  workloadMeta: { managedFields?: unknown } | null,
): WiringDrift | null {
  const ref = spec.workload;
  if (!ref) return null;
  const manager = wiringManager(spec.app, spec.name);
  const workload = `${ref.kind}/${ref.name}`;
  if (workloadMeta === null) return { workload, manager, missing: [`the ${ref.kind} itself`], changedBy: null, time: null };
  const info = kindInfo('', ref);
  const entries = Array.isArray(workloadMeta.managedFields) ? (workloadMeta.managedFields as ManagedFieldsEntry[]) : [];
  const own = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const template = info.template.reduce<unknown>((node, key) => child(node, `f:${key}`), own?.fieldsV1);
  const missing: string[] = [];
  if (child(child(child(template, 'f:metadata'), 'f:annotations'), `f:${versionAnnotation(spec.name)}`) === undefined)
    missing.push(`pod-template annotation ${versionAnnotation(spec.name)}`);
  const podSpec = child(template, 'f:spec');
  const containersNode = child(podSpec, 'f:containers') ?? {};
  const owned = Object.keys(containersNode)
    .filter((k) => k.startsWith('k:'))
    .map((k) => (JSON.parse(k.slice(2)) as { name: string }).name);
  const containers = ref.container ? [ref.container] : owned;
  if (containers.length === 0) missing.push(spec.delivery === 'env' ? 'env entries in every container' : 'volume mounts in every container');
  if (spec.delivery === 'env') {
    for (const c of containers) {
      const env = child(child(containersNode, fieldKey('name', c)), 'f:env');
      for (const key of [...spec.keys].sort()) if (child(env, fieldKey('name', key)) === undefined) missing.push(`env ${key} in container ${c}`);
    }
  } else {
    const volume = volumeName(spec.name);
    if (child(child(podSpec, 'f:volumes'), fieldKey('name', volume)) === undefined) missing.push(`volume ${volume}`);
    for (const c of containers) {
      const mounts = child(child(containersNode, fieldKey('name', c)), 'f:volumeMounts');
      if (child(mounts, fieldKey('mountPath', mountPathOf(spec))) === undefined) missing.push(`mount ${mountPathOf(spec)} in container ${c}`);
    }
  }
  if (missing.length === 0) return null;
  // Who: the last other manager that wrote the workload after Tessera did. A pure removal leaves
  // the remover no fields, so the API server may keep no trace of it; then only "when" is unknown too.
  const since = own?.time ?? '';
  const others = entries
    .filter((e) => e.manager !== manager && !isWiringManager(e.manager ?? '') && (e.time ?? '') >= since)
    .sort((a, b) => ((a.time ?? '') < (b.time ?? '') ? 1 : -1));
  const last = others[0];
  return { workload, manager, missing, changedBy: last?.manager ?? null, time: last?.time ?? null };
}

/** One sentence for a wiring drift. */
export function wiringDriftSentence(d: WiringDrift): string {
  const who = d.changedBy ? ` (last written by "${d.changedBy}"${d.time ? ` at ${d.time}` : ''})` : '';
  return `${d.workload} lost wiring of "${d.manager}": ${d.missing.join(', ')}${who}`;
}
