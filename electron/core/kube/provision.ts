// Provision and deprovision one Secret version on one cluster: namespace, Secret by
// server-side apply (field manager "tessera"), optional wiring into a workload (wiring.ts, one
// field manager per secret), and removal
// with a uid precondition. Only a Secret Tessera recorded creating or adopting (by uid) is ever
// changed or deleted; one that merely carries Tessera's label is left alone.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { KubeClient, KubeResponse } from './http-client.ts';
import { httpError } from './http-client.ts';
import { sanitizeApiMessage } from './api-message.ts';
import { randomBytes } from 'node:crypto';
import { labelManager, memoryOwnership, recognise, type SecretOwnership } from './ownership.ts';
import { jsonWithData, zero } from './secret-body.ts';
import { emptyWiringConfig, isWiringManager, wiringConfig, wiringManager, workloadContainers, workloadPath } from './wiring.ts';
import {
  APP_LABEL,
  FIELD_MANAGER,
  KEYS_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_VALUE,
  METADATA_ACCEPT,
  PROVISIONED_AT_ANNOTATION,
  PROVISIONED_BY_ANNOTATION,
  VERSION_ANNOTATION,
  WRITE_ID_ANNOTATION,
  type SecretSpec,
  type SecretValues,
} from './types.ts';

export interface ProvisionOptions {
  signal?: AbortSignal | undefined;
  /** Who provisions (annotation tessera.dev/provisioned-by). */
  principal?: string;
  /** Take over fields another field manager owns (explicit; conflicts are reported otherwise). */
  overwrite?: boolean;
  /** Take over an existing Secret Tessera did not create (the explicit "adopt" action). */
  adopt?: boolean;
  now?: () => Date;
  /** Tessera's record of the Secrets it created or adopted; none recorded when absent. */
  ownership?: SecretOwnership;
}

export interface SecretOutcome {
  namespace: string;
  name: string;
  action: 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent';
  resourceVersion: string | null;
  uid: string | null;
  wiring: 'applied' | 'removed' | 'none';
}

interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
}

const enc = encodeURIComponent;
export const secretPath = (ns: string, name?: string) => `/api/v1/namespaces/${enc(ns)}/secrets${name === undefined ? '' : `/${enc(name)}`}`;

function parseJson<T>(res: KubeResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T;
}

/** The Secret's metadata only (values never cross the wire), or null when absent. */
export async function getSecretMetadata(client: KubeClient, ns: string, name: string, signal?: AbortSignal): Promise<ObjectMeta | null> {
  const req = { method: 'GET' as const, path: secretPath(ns, name), accept: METADATA_ACCEPT, signal };
  const res = await client.request(req);
  if (res.status === 404) return null;
  if (res.status !== 200) throw httpError(client.cluster, req, res);
  return parseJson<{ metadata: ObjectMeta }>(res).metadata;
}

export function isManaged(meta: ObjectMeta): boolean {
  return meta.labels?.[MANAGED_BY] === MANAGED_BY_VALUE;
}

/** A Secret at Tessera's place that Tessera did not record creating or adopting: never changed or deleted. */
function notTesserasOwn(cluster: string, meta: ObjectMeta, ns: string, name: string): TesseraError {
  if (!isManaged(meta)) return unmanaged(cluster, ns, name);
  return new TesseraError(
    'CONFLICT',
    `Secret ${ns}/${name} on cluster "${cluster}" claims to be Tessera's (it carries the label ${MANAGED_BY}=${MANAGED_BY_VALUE}) but Tessera did not create or adopt it; it was left untouched. Adopt it explicitly to let Tessera manage it.`,
    { details: { cluster, namespace: ns, name } },
  );
}

function unmanaged(cluster: string, ns: string, name: string): TesseraError {
  return new TesseraError(
    'CONFLICT',
    `Secret ${ns}/${name} on cluster "${cluster}" exists but is not managed by Tessera (it lacks the label ${MANAGED_BY}=${MANAGED_BY_VALUE}); it was left untouched. Adopt it explicitly to let Tessera manage it.`,
    { details: { cluster, namespace: ns, name } },
  );
}

async function ensureNamespace(client: KubeClient, spec: SecretSpec, signal?: AbortSignal): Promise<void> {
  const path = `/api/v1/namespaces/${enc(spec.namespace)}`;
  const res = await client.request({ method: 'GET', path, accept: METADATA_ACCEPT, signal });
  if (res.status === 200) return;
  // Users limited to a namespace may not read Namespace objects; the Secret write will tell.
  if (res.status === 403) return;
  if (res.status !== 404) throw httpError(client.cluster, { method: 'GET', path }, res);
  if (!spec.createNamespace) {
    throw new TesseraError(
      'NOT_FOUND',
      `Namespace "${spec.namespace}" does not exist on cluster "${client.cluster}", and secret ${spec.app}/${spec.name} does not ask Tessera to create it.`,
      { details: { cluster: client.cluster, namespace: spec.namespace } },
    );
  }
  const body = Buffer.from(
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.namespace, labels: { [MANAGED_BY]: MANAGED_BY_VALUE } } }),
  );
  const created = await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body,
    query: { fieldManager: FIELD_MANAGER },
    accept: METADATA_ACCEPT,
    signal,
  });
  if (created.status !== 201 && created.status !== 200 && created.status !== 409)
    throw httpError(client.cluster, { method: 'POST', path: '/api/v1/namespaces' }, created);
}

interface ApplyConflict {
  manager: string;
  field: string;
}

function applyConflicts(res: KubeResponse): ApplyConflict[] {
  try {
    const status = parseJson<{ details?: { causes?: { reason?: string; message?: string; field?: string }[] } }>(res);
    return (status.details?.causes ?? [])
      .filter((c) => c.reason === 'FieldManagerConflict')
      .map((c) => ({ manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? 'another field manager', field: c.field ?? '?' }));
  } catch {
    return [];
  }
}

/**
 * Our own earlier writes may be taken over; anyone else's never silently. For wiring that is the
 * secret's own manager and the single "tessera" manager earlier releases wired with — never
 * another secret's manager: two secrets claiming one env name is a conflict to report.
 */
function isOwnManager(manager: string, own: string): boolean {
  return manager === own || manager === FIELD_MANAGER;
}

/**
 * Server-side apply with the conflict policy: apply without force; on conflicts that involve
 * only Tessera's own managers, re-apply with force; otherwise report CONFLICT naming the other
 * managers and fields, unless the caller explicitly asked to overwrite.
 */
async function apply(
  client: KubeClient,
  path: string,
  what: string,
  body: Buffer,
  overwrite: boolean,
  signal?: AbortSignal,
  manager: string = FIELD_MANAGER,
  echoes: readonly Buffer[] = [],
): Promise<KubeResponse> {
  const req = { method: 'PATCH' as const, path, body, contentType: 'application/apply-patch+yaml', accept: METADATA_ACCEPT, signal };
  // Wiring never forces blindly: another secret's wiring manager is never taken over, even with overwrite.
  const wiring = manager !== FIELD_MANAGER;
  let res = await client.request({ ...req, query: { fieldManager: manager, ...(overwrite && !wiring ? { force: 'true' } : {}) } });
  if (res.status === 409) {
    const conflicts = applyConflicts(res);
    const protectedManager = (m: string) => wiring && m !== manager && m !== FIELD_MANAGER && isWiringManager(m);
    const foreign = conflicts.filter((c) => !isOwnManager(c.manager, manager) && (!overwrite || protectedManager(c.manager)));
    if (conflicts.length > 0 && foreign.length === 0) {
      res = await client.request({ ...req, query: { fieldManager: manager, force: 'true' } });
    } else if (foreign.length > 0) {
      // Manager and field names come from the cluster: cleaned and capped like any message of it.
      const clean = (text: string) => sanitizeApiMessage(text, echoes).slice(0, 120);
      const managers = [...new Set(foreign.map((c) => clean(c.manager)))];
      const hint = managers.some(protectedManager)
        ? 'Two secrets wire the same field (an env name or mount path); give them different names.'
        : 'Provision again with overwrite to take ownership.';
      throw new TesseraError(
        'CONFLICT',
        `${what} on cluster "${client.cluster}" has fields owned by ${managers.map((m) => `"${m}"`).join(', ')} (${foreign.map((c) => clean(c.field)).join(', ')}); Tessera did not take them over. ${hint}`,
        { details: { cluster: client.cluster, managers: managers.join(','), fields: foreign.map((c) => clean(c.field)).join(',') } },
      );
    }
  }
  if (res.status < 200 || res.status > 299) throw httpError(client.cluster, req, res, echoes);
  return res;
}

function checkValues(cluster: string, spec: SecretSpec, values: SecretValues): void {
  if (values.versionId !== spec.versionId) {
    throw new TesseraError('INVALID_INPUT', `The values given are of version ${values.versionId}, not ${spec.versionId} of ${spec.app}/${spec.name}.`, {
      details: { cluster },
    });
  }
  const keys = [...values.keys.keys()].sort();
  const expected = [...spec.keys].sort();
  if (keys.join('\u0000') !== expected.join('\u0000')) {
    throw new TesseraError(
      'INVALID_INPUT',
      `The values of ${spec.app}/${spec.name} have keys ${keys.join(', ')} but the version lists ${expected.join(', ')}.`,
      { details: { cluster } },
    );
  }
}

/**
 * Writes one Secret version to one cluster (and wires it, when the spec names a workload).
 * Values cross the wire only here; every buffer this function fills is zeroed before it returns.
 */
export async function provisionVersion(client: KubeClient, spec: SecretSpec, values: SecretValues, options: ProvisionOptions = {}): Promise<SecretOutcome> {
  const { signal } = options;
  checkValues(client.cluster, spec, values);
  await ensureNamespace(client, spec, signal);
  const live = await getSecretMetadata(client, spec.namespace, spec.name, signal);
  const ownership = options.ownership ?? memoryOwnership();
  // Tessera's by uid, or by the write id of a write whose answer was lost (a timeout, a crash).
  const recognised = live
    ? recognise(ownership, client.cluster, spec.namespace, spec.name, { ...live, writeId: live.annotations?.[WRITE_ID_ANNOTATION] })
    : null;
  const record = recognised ?? ownership.get(client.cluster, spec.namespace, spec.name);
  const owned = live !== null && recognised !== null;
  if (live && !owned && !options.adopt) throw notTesserasOwn(client.cluster, live, spec.namespace, spec.name);

  // Same version already written by Tessera: keep the stamp Tessera recorded (never one read back
  // from the cluster, which anyone who can edit the Secret controls), so applying again is a no-op.
  const sameVersion = owned && record !== null && record.versionId === spec.versionId && record.provisionedAt !== null && record.provisionedBy !== null;
  const provisionedAt = sameVersion ? record.provisionedAt! : (options.now?.() ?? new Date()).toISOString();
  const provisionedBy = sameVersion ? record.provisionedBy! : (options.principal ?? 'tessera');
  // The intent is recorded before the write goes out, so a lost answer still leaves Tessera knowing the Secret.
  const writeId = sameVersion && record.writeId ? record.writeId : randomBytes(16).toString('hex');
  const how = live === null || (owned && record?.how !== 'adopted') ? 'created' : 'adopted';
  ownership.intend({
    cluster: client.cluster,
    namespace: spec.namespace,
    name: spec.name,
    writeId,
    how,
    versionId: spec.versionId,
    provisionedAt,
    provisionedBy,
  });
  // Every string here comes from the vault's spec or from Tessera itself; nothing from `live`.
  const object = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { [MANAGED_BY]: MANAGED_BY_VALUE, [APP_LABEL]: spec.app },
      annotations: {
        [VERSION_ANNOTATION]: spec.versionId,
        [KEYS_ANNOTATION]: [...spec.keys].sort().join(','),
        [PROVISIONED_AT_ANNOTATION]: provisionedAt,
        [PROVISIONED_BY_ANNOTATION]: provisionedBy,
        [WRITE_ID_ANNOTATION]: writeId,
      },
    },
    type: spec.type ?? 'Opaque',
  };
  const { body, sensitive } = jsonWithData(object, values.keys);
  let res: KubeResponse;
  try {
    res = await apply(
      client,
      secretPath(spec.namespace, spec.name),
      `Secret ${spec.namespace}/${spec.name}`,
      body,
      options.overwrite === true || options.adopt === true,
      signal,
      FIELD_MANAGER,
      [body, ...values.keys.values()],
    );
  } finally {
    zero(sensitive);
  }
  const meta = parseJson<{ metadata: ObjectMeta }>(res).metadata;
  res.body.fill(0);
  const action = live === null ? 'created' : meta.resourceVersion === live.resourceVersion ? 'unchanged' : 'updated';
  if (meta.uid) {
    ownership.record({
      cluster: client.cluster,
      namespace: spec.namespace,
      name: spec.name,
      uid: meta.uid,
      manager: labelManager(meta.managedFields),
      how,
      versionId: spec.versionId,
      provisionedAt,
      provisionedBy,
      writeId,
    });
  }

  let wiring: SecretOutcome['wiring'] = 'none';
  if (spec.workload) {
    const ref = spec.workload;
    const containers = await workloadContainers(client, spec.namespace, ref, signal);
    if (containers === null) {
      throw new TesseraError(
        'NOT_FOUND',
        `${ref.kind} ${spec.namespace}/${ref.name} does not exist on cluster "${client.cluster}"; the Secret was written but not wired.`,
        {
          details: { cluster: client.cluster },
        },
      );
    }
    const wiringBody = Buffer.from(JSON.stringify(wiringConfig(spec, ref, containers)));
    await apply(
      client,
      workloadPath(client.cluster, spec.namespace, ref),
      `${ref.kind} ${spec.namespace}/${ref.name}`,
      wiringBody,
      options.overwrite === true,
      signal,
      wiringManager(spec.app, spec.name),
    );
    wiring = 'applied';
  }
  return { namespace: spec.namespace, name: spec.name, action, resourceVersion: meta.resourceVersion ?? null, uid: meta.uid ?? null, wiring };
}

/**
 * Removes the wiring (applies Tessera's field manager with none of its fields), then deletes the
 * Secret with a uid precondition. Never touches a Secret without Tessera's label.
 */
export async function deprovisionSecret(
  client: KubeClient,
  spec: Pick<SecretSpec, 'app' | 'name' | 'namespace' | 'workload'>,
  options: { signal?: AbortSignal | undefined; ownership?: SecretOwnership | undefined } = {},
): Promise<SecretOutcome> {
  const { signal } = options;
  const ownership = options.ownership ?? memoryOwnership();
  const live = await getSecretMetadata(client, spec.namespace, spec.name, signal);
  if (live && !recognise(ownership, client.cluster, spec.namespace, spec.name, { ...live, writeId: live.annotations?.[WRITE_ID_ANNOTATION] }))
    throw notTesserasOwn(client.cluster, live, spec.namespace, spec.name);

  let wiring: SecretOutcome['wiring'] = 'none';
  if (spec.workload) {
    const ref = spec.workload;
    const path = workloadPath(client.cluster, spec.namespace, ref);
    const exists = await client.request({ method: 'GET', path, accept: METADATA_ACCEPT, signal });
    if (exists.status === 200) {
      // Applying no fields under this secret's manager removes its wiring and leaves every other secret's in place.
      const empty = Buffer.from(JSON.stringify(emptyWiringConfig(spec.namespace, ref)));
      await apply(client, path, `${ref.kind} ${spec.namespace}/${ref.name}`, empty, false, signal, wiringManager(spec.app, spec.name));
      wiring = 'removed';
    } else if (exists.status !== 404) throw httpError(client.cluster, { method: 'GET', path }, exists);
  }
  if (!live) {
    const stale = ownership.get(client.cluster, spec.namespace, spec.name);
    if (stale) ownership.forget(client.cluster, spec.namespace, spec.name, stale.uid);
    return { namespace: spec.namespace, name: spec.name, action: 'absent', resourceVersion: null, uid: null, wiring };
  }

  const path = secretPath(spec.namespace, spec.name);
  const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: live.uid } }));
  const res = await client.request({ method: 'DELETE', path, body, accept: METADATA_ACCEPT, signal });
  if (res.status === 404 || (res.status >= 200 && res.status <= 299)) ownership.forget(client.cluster, spec.namespace, spec.name, live.uid!);
  if (res.status === 404) return { namespace: spec.namespace, name: spec.name, action: 'absent', resourceVersion: null, uid: live.uid ?? null, wiring };
  if (res.status === 409) {
    throw new TesseraError(
      'CONFLICT',
      `Secret ${spec.namespace}/${spec.name} on cluster "${client.cluster}" was replaced since Tessera looked (uid changed); it was not deleted.`,
      {
        details: { cluster: client.cluster },
      },
    );
  }
  if (res.status < 200 || res.status > 299) throw httpError(client.cluster, { method: 'DELETE', path }, res);
  res.body.fill(0);
  return { namespace: spec.namespace, name: spec.name, action: 'deleted', resourceVersion: null, uid: live.uid ?? null, wiring };
}
