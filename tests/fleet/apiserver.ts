// One simulated cluster: an in-memory object store plus the request handling of the
// kube-apiserver for the resources Tessera uses. Pure request → response; no sockets here.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ApplyConflictError, SCHEMAS, decodeManagedFields, deepEqual, encodeManagedFields, isObj, normalize, recordApply, recordUpdate } from './fields.ts';
import type { Json, JsonObject, KindSchema, ManagerEntry } from './fields.ts';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { SelectorError, matches, parseSelector } from './labels.ts';
import { decodeProtobuf } from './protobuf.ts';
import { apiGroupList, apiVersions, openapiV3Index, openapiV3Doc, resourceList, versionInfo } from './discovery.ts';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  serverAddress: string;
  user: SimUser;
}

export type SimUser = 'admin' | 'limited' | 'viewer';
export const LIMITED_NAMESPACE = 'team-a';
export function userName(u: SimUser): string {
  return u === 'admin' ? USER : u;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: Json;
}

export interface ClusterPolicy {
  /** 'all': every Secret request is forbidden; 'cluster-wide': only all-namespace lists are. */
  denySecrets?: false | 'all' | 'cluster-wide';
}

export const USER = 'tessera-sim';
const MAX_SECRET_SIZE = 1024 * 1024;
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

interface ResourceDef {
  resource: string;
  kind: string;
  group: string;
  version: string;
  apiVersion: string;
  namespaced: boolean;
  schema: KindSchema;
}

const SECRETS: ResourceDef = { resource: 'secrets', kind: 'Secret', group: '', version: 'v1', apiVersion: 'v1', namespaced: true, schema: SCHEMAS.Secret };
const NAMESPACES: ResourceDef = {
  resource: 'namespaces',
  kind: 'Namespace',
  group: '',
  version: 'v1',
  apiVersion: 'v1',
  namespaced: false,
  schema: SCHEMAS.Namespace,
};
const SSAR_SCHEMA: KindSchema = { listKeys: {}, atomic: new Set(), alwaysPresent: new Set(['metadata', 'spec', 'status']), omitEmptyMaps: new Set() };
const DEPLOYMENTS: ResourceDef = {
  resource: 'deployments',
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  apiVersion: 'apps/v1',
  namespaced: true,
  schema: SCHEMAS.Deployment,
};

export class StatusError extends Error {
  code: number;
  reason: string;
  details: JsonObject | undefined;
  headers: Record<string, string> | undefined;
  constructor(code: number, reason: string, message: string, details?: JsonObject, headers?: Record<string, string>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }
}

export function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  const s: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details !== undefined) s.details = details;
  s.code = code;
  return s;
}

const notFound = (r: ResourceDef, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${r.group ? `${r.resource}.${r.group}` : r.resource} "${name}" not found`, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.resource,
  });
const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

interface Cause {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueTooLong' | 'FieldValueNotFound' | 'FieldValueDuplicate' | 'FieldValueForbidden';
  field: string;
  detail: string;
  value?: string;
}
function causeMessage(c: Cause): string {
  switch (c.type) {
    case 'FieldValueInvalid':
      return `Invalid value: ${JSON.stringify(c.value ?? '')}: ${c.detail}`;
    case 'FieldValueRequired':
      return `Required value${c.detail ? `: ${c.detail}` : ''}`;
    case 'FieldValueTooLong':
      return `Too long: ${c.detail}`;
    case 'FieldValueNotFound':
      return `Not found: ${JSON.stringify(c.value ?? '')}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${JSON.stringify(c.value ?? '')}`;
    case 'FieldValueForbidden':
      return `Forbidden: ${c.detail}`;
  }
}
function invalid(r: ResourceDef, name: string, causes: Cause[]): StatusError {
  const parts = [...new Set(causes.map((c) => `${c.field}: ${causeMessage(c)}`))];
  const msg = `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new StatusError(422, 'Invalid', msg, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.kind,
    causes: causes.map((c) => ({ reason: c.type, message: causeMessage(c), field: c.field })),
  });
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validateName(name: string, label: boolean): Cause[] {
  if (!name) return [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }];
  if (label) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) return [{ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: LABEL_MSG }];
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [{ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: SUBDOMAIN_MSG }];
  }
  return [];
}

function validateQualifiedKey(k: string, field: string): Cause[] {
  const slash = k.indexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : '';
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if ((slash >= 0 && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return [
      {
        type: 'FieldValueInvalid',
        field,
        value: k,
        detail:
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      },
    ];
  }
  return [];
}

function validateMeta(meta: JsonObject, labelName: boolean, base = 'metadata'): Cause[] {
  const causes: Cause[] = [];
  if (base === 'metadata') causes.push(...validateName(String(meta.name ?? ''), labelName));
  const labels = meta.labels;
  if (isObj(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      causes.push(...validateQualifiedKey(k, `${base}.labels`));
      const s = String(v ?? '');
      if (s.length > 63 || !LABEL_VALUE.test(s)) {
        causes.push({
          type: 'FieldValueInvalid',
          field: `${base}.labels`,
          value: s,
          detail:
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        });
      }
    }
  }
  const ann = meta.annotations;
  if (isObj(ann)) for (const k of Object.keys(ann)) causes.push(...validateQualifiedKey(k, `${base}.annotations`));
  return causes;
}

function validateSecret(obj: JsonObject): Cause[] {
  const causes = validateMeta(obj.metadata as JsonObject, false);
  const data = isObj(obj.data) ? obj.data : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!CONFIG_KEY.test(k) || k.length > 253) causes.push({ type: 'FieldValueInvalid', field: `data[${k}]`, value: k, detail: CONFIG_KEY_MSG });
    else if (k === '.' || k === '..' || k.startsWith('..'))
      causes.push({
        type: 'FieldValueInvalid',
        field: `data[${k}]`,
        value: k,
        detail: k === '.' ? "must not be '.'" : k === '..' ? "must not be '..'" : "must not start with '..'",
      });
    total += Buffer.from(String(v ?? ''), 'base64').length;
  }
  const required: Record<string, string[]> = {
    'kubernetes.io/tls': ['tls.crt', 'tls.key'],
    'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
    'kubernetes.io/dockercfg': ['.dockercfg'],
    'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  };
  for (const k of required[String(obj.type ?? '')] ?? []) if (!(k in data)) causes.push({ type: 'FieldValueRequired', field: `data[${k}]`, detail: '' });
  if (total > MAX_SECRET_SIZE) causes.push({ type: 'FieldValueTooLong', field: 'data', detail: `may not be more than ${MAX_SECRET_SIZE} bytes` });
  return causes;
}

function validateDeployment(obj: JsonObject): Cause[] {
  const causes = validateMeta(obj.metadata as JsonObject, false);
  const spec = isObj(obj.spec) ? obj.spec : {};
  const sel = isObj(spec.selector) ? spec.selector : undefined;
  const tmpl = isObj(spec.template) ? spec.template : {};
  const tmeta = isObj(tmpl.metadata) ? tmpl.metadata : {};
  const tlabels = isObj(tmeta.labels) ? tmeta.labels : {};
  if (!sel) causes.push({ type: 'FieldValueRequired', field: 'spec.selector', detail: '' });
  else {
    const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
    if (Object.keys(ml).length === 0 && !Array.isArray(sel.matchExpressions))
      causes.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: '', detail: 'empty selector is invalid for deployment' });
    if (!Object.entries(ml).every(([k, v]) => tlabels[k] === v))
      causes.push({
        type: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        value: JSON.stringify(tlabels),
        detail: '`selector` does not match template `labels`',
      });
  }
  causes.push(...validateMeta(tmeta, false, 'spec.template.metadata').filter((c) => c.field !== 'metadata.name'));
  const pod = isObj(tmpl.spec) ? tmpl.spec : {};
  const volumes = Array.isArray(pod.volumes) ? pod.volumes.filter(isObj) : [];
  const volNames = new Set<string>();
  volumes.forEach((v, i) => {
    const n = String(v.name ?? '');
    if (!n) causes.push({ type: 'FieldValueRequired', field: `spec.template.spec.volumes[${i}].name`, detail: '' });
    else if (volNames.has(n)) causes.push({ type: 'FieldValueDuplicate', field: `spec.template.spec.volumes[${i}].name`, value: n, detail: '' });
    volNames.add(n);
  });
  const containers = Array.isArray(pod.containers) ? pod.containers.filter(isObj) : [];
  if (containers.length === 0) causes.push({ type: 'FieldValueRequired', field: 'spec.template.spec.containers', detail: '' });
  containers.forEach((c, i) => {
    const base = `spec.template.spec.containers[${i}]`;
    if (!c.name) causes.push({ type: 'FieldValueRequired', field: `${base}.name`, detail: '' });
    if (!c.image) causes.push({ type: 'FieldValueRequired', field: `${base}.image`, detail: '' });
    const env = Array.isArray(c.env) ? c.env.filter(isObj) : [];
    env.forEach((e, j) => {
      if (!e.name) causes.push({ type: 'FieldValueRequired', field: `${base}.env[${j}].name`, detail: '' });
      if (e.value !== undefined && e.value !== '' && e.valueFrom !== undefined)
        causes.push({ type: 'FieldValueInvalid', field: `${base}.env[${j}].valueFrom`, value: '', detail: 'may not be specified when `value` is not empty' });
    });
    const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts.filter(isObj) : [];
    mounts.forEach((m, j) => {
      const n = String(m.name ?? '');
      if (!volNames.has(n)) causes.push({ type: 'FieldValueNotFound', field: `${base}.volumeMounts[${j}].name`, value: n, detail: '' });
      if (!m.mountPath) causes.push({ type: 'FieldValueRequired', field: `${base}.volumeMounts[${j}].mountPath`, detail: '' });
    });
  });
  return causes;
}

function defaultDeployment(obj: JsonObject): void {
  const spec = (obj.spec = isObj(obj.spec) ? obj.spec : {});
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const strategy = (spec.strategy = isObj(spec.strategy) ? spec.strategy : {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  const tmpl = (spec.template = isObj(spec.template) ? spec.template : {});
  tmpl.metadata = isObj(tmpl.metadata) ? tmpl.metadata : {};
  const pod = (tmpl.spec = isObj(tmpl.spec) ? tmpl.spec : {});
  pod.restartPolicy ??= 'Always';
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ??= 'ClusterFirst';
  pod.securityContext ??= {};
  pod.schedulerName ??= 'default-scheduler';
  for (const list of ['containers', 'initContainers']) {
    const cs = pod[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      if (!isObj(c)) continue;
      c.resources ??= {};
      if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) p.protocol ??= 'TCP';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      const image = String(c.image ?? '');
      const tagged = /:[^/]+$/.test(image.split('@')[0] ?? '') && !image.endsWith(':latest');
      c.imagePullPolicy ??= tagged || image.includes('@') ? 'IfNotPresent' : 'Always';
      if (Array.isArray(c.env)) {
        for (const e of c.env) {
          if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
        }
      }
    }
  }
  if (Array.isArray(pod.volumes)) {
    for (const v of pod.volumes) {
      if (isObj(v) && isObj(v.secret)) v.secret.defaultMode ??= 420;
      if (isObj(v) && isObj(v.configMap)) v.configMap.defaultMode ??= 420;
    }
  }
}

function sortMap(v: Json | undefined): Json | undefined {
  if (!isObj(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = v[k] as Json;
  return out;
}

/** Key order and map ordering the way the Go encoder writes objects. */
function canonical(r: ResourceDef, obj: JsonObject): JsonObject {
  const m = obj.metadata as JsonObject;
  const meta: JsonObject = {};
  for (const k of [
    'name',
    'generateName',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ]) {
    if (m[k] !== undefined) meta[k] = k === 'labels' || k === 'annotations' ? (sortMap(m[k]) as Json) : m[k];
  }
  for (const [k, x] of Object.entries(m)) if (!(k in meta)) meta[k] = x;
  const out: JsonObject = { kind: r.kind, apiVersion: r.apiVersion, metadata: meta };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'kind' || k === 'apiVersion' || k === 'metadata') continue;
    out[k] = k === 'data' ? (sortMap(v) as Json) : v;
  }
  if (r.kind === 'Secret') return ordered(out, ['kind', 'apiVersion', 'metadata', 'immutable', 'data', 'type']);
  if (r.kind === 'Deployment' && isObj(out.spec)) {
    // Go struct field order, so responses read like the apiserver's
    const spec = ordered(out.spec, [
      'replicas',
      'selector',
      'template',
      'strategy',
      'minReadySeconds',
      'revisionHistoryLimit',
      'paused',
      'progressDeadlineSeconds',
    ]);
    const tmpl = spec.template;
    if (isObj(tmpl) && isObj(tmpl.spec)) {
      const pod = ordered(tmpl.spec, ['volumes', 'initContainers', 'containers']);
      for (const list of ['initContainers', 'containers']) {
        const cs = pod[list];
        if (Array.isArray(cs)) pod[list] = cs.map((c) => (isObj(c) ? orderContainer(c) : c));
      }
      spec.template = { ...tmpl, spec: pod };
    }
    out.spec = spec;
  }
  return out;
}

function ordered(o: JsonObject, first: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of first) if (o[k] !== undefined) out[k] = o[k];
  for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out;
}

const CONTAINER_ORDER = [
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
];
function orderContainer(c: JsonObject): JsonObject {
  const out = ordered(c, CONTAINER_ORDER);
  if (Array.isArray(out.volumeMounts))
    out.volumeMounts = out.volumeMounts.map((m) =>
      isObj(m) ? ordered(m, ['name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr']) : m,
    );
  if (Array.isArray(out.ports)) out.ports = out.ports.map((p) => (isObj(p) ? ordered(p, ['name', 'hostPort', 'containerPort', 'protocol', 'hostIP']) : p));
  return out;
}

type Store = Map<string, JsonObject>; // key: namespace/name

export class Cluster {
  readonly index: number;
  readonly name: string;
  readonly token: string;
  readonly tokens: Record<SimUser, string>;
  policy: ClusterPolicy = {};
  private rv = 0;
  private stores: Map<string, Store> | undefined;

  constructor(index: number, name: string, token: string) {
    this.index = index;
    this.name = name;
    this.token = token;
    this.tokens = { admin: token, limited: `${token}-limited`, viewer: `${token}-viewer` };
  }

  userFor(authorization: string): SimUser | undefined {
    const t = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (t === this.tokens.admin) return 'admin';
    if (t === this.tokens.limited) return 'limited';
    if (t === this.tokens.viewer) return 'viewer';
    return undefined;
  }

  private init(): Map<string, Store> {
    if (this.stores) return this.stores;
    this.stores = new Map([
      ['namespaces', new Map()],
      ['secrets', new Map()],
      ['deployments', new Map()],
    ]);
    this.rv = 100 + this.index;
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) this.createNamespace(ns, 'kube-apiserver');
    // seeded like tests/controlplane/harness.ts does it (a client without a User-Agent → "unknown")
    this.createNamespace(LIMITED_NAMESPACE, 'unknown');
    return this.stores;
  }

  private nextRV(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private createNamespace(name: string, manager: string, labels?: JsonObject, annotations?: JsonObject): JsonObject {
    const meta: JsonObject = { name };
    if (annotations) meta.annotations = annotations;
    meta.labels = { ...(labels ?? {}), 'kubernetes.io/metadata.name': name };
    const obj: JsonObject = { kind: 'Namespace', apiVersion: 'v1', metadata: meta };
    const entries = recordUpdate(NAMESPACES.schema, undefined, obj, [], manager, 'v1');
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    meta.uid = randomUUID();
    meta.resourceVersion = this.nextRV();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    meta.managedFields = encodeManagedFields(entries);
    const c = canonical(NAMESPACES, obj);
    this.stores!.get('namespaces')!.set(`/${name}`, c);
    return c;
  }

  /** Snapshot of the cluster's objects (deep copies). */
  snapshot(): { resourceVersion: string; namespaces: JsonObject[]; secrets: JsonObject[]; deployments: JsonObject[] } {
    const s = this.init();
    const all = (k: string): JsonObject[] => [...s.get(k)!.values()].map((o) => structuredClone(o));
    return { resourceVersion: String(this.rv), namespaces: all('namespaces'), secrets: all('secrets'), deployments: all('deployments') };
  }

  handle(req: SimRequest): SimResponse {
    try {
      return this.route(req);
    } catch (e) {
      if (e instanceof StatusError) return { status: e.code, headers: e.headers, body: statusBody(e.code, e.reason, e.message, e.details) };
      if (e instanceof ApplyConflictError) {
        const n = e.conflicts.reduce((a, c) => a + c.fields.length, 0);
        const causes = e.conflicts.flatMap((c) =>
          c.fields.map((f) => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${c.manager}"${c.operation === 'Update' ? ` using ${c.apiVersion}` : ''}`,
            field: f,
          })),
        );
        let message: string;
        if (n === 1) message = `Apply failed with 1 conflict: ${causes[0]?.message}: ${causes[0]?.field}`;
        else
          message = `Apply failed with ${n} conflicts: ${e.conflicts
            .map(
              (c) => `conflicts with "${c.manager}"${c.operation === 'Update' ? ` using ${c.apiVersion}` : ''}:\n${c.fields.map((f) => `- ${f}`).join('\n')}`,
            )
            .join('\n')}`;
        return { status: 409, body: statusBody(409, 'Conflict', message, { causes }) };
      }
      if (e instanceof PatchError) {
        // the apiserver hides json-patch application errors behind a generic 422
        if (e.code === 422) return { status: 422, body: statusBody(422, 'Invalid', 'the server rejected our request due to an error in our request', {}) };
        return { status: e.code, body: statusBody(e.code, 'BadRequest', e.message) };
      }
      const msg = e instanceof Error ? e.message : String(e);
      return { status: 500, body: statusBody(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }) };
    }
  }

  private route(req: SimRequest): SimResponse {
    const p = req.path.replace(/\/+$/, '') || '/';
    const m = req.method;
    if (m === 'GET') {
      if (p === '/version') return { status: 200, body: versionInfo() };
      if (p === '/api') return { status: 200, body: apiVersions(req.serverAddress) };
      if (p === '/apis') return { status: 200, body: apiGroupList() };
      if (p === '/openapi/v3') return { status: 200, body: openapiV3Index() };
      if (p.startsWith('/openapi/v3/')) {
        const doc = openapiV3Doc(p.slice('/openapi/v3/'.length));
        if (doc) return { status: 200, body: doc };
      }
      const rl = resourceList(p);
      if (rl) return { status: 200, body: rl };
    }
    if (p === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (m !== 'POST') throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      return this.ssar(req);
    }
    const parts = p.split('/').filter(Boolean);
    let r: ResourceDef | undefined;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
    else if (parts[0] === 'apis' && parts[1] === 'apps' && parts[2] === 'v1') rest = parts.slice(3);
    else throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    const group = parts[0] === 'api' ? '' : 'apps';
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const resName = rest[0];
    const name = rest[1];
    if (rest.length > 2) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    if (group === '' && resName === 'namespaces' && ns === undefined) r = NAMESPACES;
    else if (group === '' && resName === 'secrets') r = SECRETS;
    else if (group === 'apps' && resName === 'deployments') r = DEPLOYMENTS;
    if (!r) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    this.init();
    this.authorize(req.user, r, m, ns, name, req.query);
    if (name === undefined) {
      if (m === 'GET') return this.list(r, ns, req);
      if (m === 'POST') {
        if (r.namespaced && ns === undefined)
          throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
        return this.create(r, ns, req);
      }
      throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    }
    if (r.namespaced && ns === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    switch (m) {
      case 'GET':
        return this.get(r, ns, name, req);
      case 'PUT':
        return this.update(r, ns, name, req);
      case 'PATCH':
        return this.patch(r, ns, name, req);
      case 'DELETE':
        return this.delete(r, ns, name, req);
      default:
        throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    }
  }

  private verbOf(m: string, name: string | undefined): string {
    return m === 'GET'
      ? name === undefined
        ? 'list'
        : 'get'
      : m === 'POST'
        ? 'create'
        : m === 'PUT'
          ? 'update'
          : m === 'PATCH'
            ? 'patch'
            : m === 'DELETE'
              ? 'delete'
              : m.toLowerCase();
  }

  /** RBAC as the real harness seeds it: admin (all), limited (team-a only), viewer (no secrets). */
  allowed(user: SimUser, group: string, resource: string, verb: string, ns: string | undefined): boolean {
    if (user === 'admin') {
      const d = this.policy.denySecrets;
      if (resource !== 'secrets' || group !== '' || !d) return true;
      if (d === 'all') return false;
      return !(d === 'cluster-wide' && ns === undefined && (verb === 'list' || verb === 'watch'));
    }
    if (group === 'authorization.k8s.io' && resource === 'selfsubjectaccessreviews') return true;
    if (user === 'limited') {
      if (ns !== LIMITED_NAMESPACE) return false;
      if (group === '' && resource === 'secrets') return true;
      return group === 'apps' && resource === 'deployments' && (verb === 'get' || verb === 'patch');
    }
    if (group === '' && resource === 'namespaces') return ['get', 'list', 'watch'].includes(verb);
    if (group === 'apps' && resource === 'deployments') return ['get', 'list', 'watch'].includes(verb);
    return false;
  }

  private authorize(user: SimUser, r: ResourceDef, m: string, ns: string | undefined, name: string | undefined, q: URLSearchParams): void {
    const verb = q.get('watch') === 'true' ? 'watch' : this.verbOf(m, name);
    const effNs = r === NAMESPACES ? name : ns;
    if (this.allowed(user, r.group, r.resource, verb, r === NAMESPACES ? undefined : effNs)) return;
    const what = name ? `${r.group ? `${r.resource}.${r.group}` : r.resource} "${name}"` : r.group ? `${r.resource}.${r.group}` : r.resource;
    const scope = ns === undefined ? 'at the cluster scope' : `in the namespace "${ns}"`;
    throw new StatusError(
      403,
      'Forbidden',
      `${what} is forbidden: User "${userName(user)}" cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${scope}`,
      {
        ...(name ? { name } : {}),
        ...(r.group ? { group: r.group } : {}),
        kind: r.resource,
      },
    );
  }

  private ssar(req: SimRequest): SimResponse {
    const body = this.parseBody(req, 'SelfSubjectAccessReview', 'authorization.k8s.io/v1');
    const spec = isObj(body.spec) ? body.spec : {};
    const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const allowed =
      !ra || this.allowed(req.user, String(ra.group ?? ''), String(ra.resource ?? ''), String(ra.verb ?? ''), ra.namespace ? String(ra.namespace) : undefined);
    const entries = recordUpdate(SSAR_SCHEMA, undefined, { spec }, [], this.fieldManager(req, false), 'authorization.k8s.io/v1');
    const reason =
      req.user === 'limited'
        ? `RBAC: allowed by RoleBinding "tessera-limited/${LIMITED_NAMESPACE}" of Role "tessera-limited" to User "limited"`
        : req.user === 'viewer'
          ? 'RBAC: allowed by ClusterRoleBinding "tessera-viewer" of ClusterRole "tessera-viewer" to User "viewer"'
          : 'RBAC: allowed by ClusterRoleBinding "tessera-sim-admin" of ClusterRole "cluster-admin" to User "tessera-sim"';
    return {
      status: 201,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { managedFields: encodeManagedFields(entries) },
        spec,
        status: allowed ? { allowed: true, reason } : { allowed: false },
      },
    };
  }

  private store(r: ResourceDef): Store {
    return this.init().get(r.resource)!;
  }

  private key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  private parseBody(req: SimRequest, kind: string, apiVersion: string, yamlOk = false): JsonObject {
    if (req.body.length > MAX_REQUEST_BYTES) throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_REQUEST_BYTES}`);
    let v: unknown;
    const ct =
      String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    if (ct === 'application/vnd.kubernetes.protobuf') {
      try {
        return decodeProtobuf(req.body);
      } catch (e) {
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${e instanceof Error ? e.message : String(e)})`,
        );
      }
    }
    const text = req.body.toString('utf8');
    try {
      v = yamlOk ? parseYaml(text) : JSON.parse(text);
    } catch (e) {
      throw badRequest(
        `${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      );
    }
    if (!isObj(v)) throw badRequest(`${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: expected an object`);
    return v as JsonObject;
  }

  private checkTypeMeta(r: ResourceDef, obj: JsonObject, required: boolean): void {
    if (required && !obj.apiVersion) throw badRequest('apiVersion must be set');
    if (required && !obj.kind) throw badRequest('kind must be set');
    if ((obj.kind !== undefined && obj.kind !== r.kind) || (obj.apiVersion !== undefined && obj.apiVersion !== r.apiVersion)) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${r.apiVersion})`);
    }
  }

  /** Decode + default a submitted object, as the apiserver's codec would. */
  private decode(r: ResourceDef, obj: JsonObject): JsonObject {
    const o = structuredClone(obj);
    o.metadata = isObj(o.metadata) ? o.metadata : {};
    if (r === SECRETS) {
      const data: JsonObject = isObj(o.data) ? { ...o.data } : {};
      for (const [k, v] of Object.entries(data)) {
        if (v === null) {
          delete data[k];
          continue;
        }
        const s = String(v);
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
          const idx = Math.max(0, s.search(/[^A-Za-z0-9+/=]/));
          throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${idx}`);
        }
      }
      if (isObj(o.stringData)) for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v ?? '')).toString('base64');
      delete o.stringData;
      if (Object.keys(data).length > 0) o.data = data;
      else delete o.data;
      o.type ??= 'Opaque';
    }
    if (r === DEPLOYMENTS) defaultDeployment(o);
    return normalize(r.schema, o) as JsonObject;
  }

  private validate(r: ResourceDef, obj: JsonObject, old?: JsonObject): void {
    const name = String((obj.metadata as JsonObject).name ?? '');
    let causes: Cause[];
    if (r === SECRETS) {
      causes = [];
      if (old && obj.type !== old.type) causes.push({ type: 'FieldValueInvalid', field: 'type', value: String(obj.type), detail: 'field is immutable' });
      if (old && old.immutable === true && !deepEqual(old.data, obj.data))
        causes.push({ type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set' });
      causes.push(...validateSecret(obj));
    } else if (r === DEPLOYMENTS) causes = validateDeployment(obj);
    else causes = validateMeta(obj.metadata as JsonObject, true);
    if (old) {
      // kube-apiserver 1.35 reports a bad label/annotation key 4 times on update (ObjectMeta is
      // validated by several overlapping update validators); the message lists it once
      causes = causes.flatMap((c) => (c.field === 'metadata.labels' || c.field === 'metadata.annotations' ? [c, c, c, c] : [c]));
    }
    if (causes.length > 0) throw invalid(r, name, causes);
  }

  private fieldManager(req: SimRequest, apply: boolean): string {
    const fm = req.query.get('fieldManager');
    if (fm) {
      if (fm.length > 128)
        throw invalid({ ...SECRETS, kind: 'PatchOptions', group: 'meta.k8s.io' }, '', [
          { type: 'FieldValueTooLong', field: 'fieldManager', detail: 'may not be more than 128 bytes' },
        ]);
      return fm;
    }
    if (apply) {
      throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      });
    }
    const ua = String(req.headers['user-agent'] ?? '');
    return (ua.split('/')[0] ?? '').slice(0, 128) || 'unknown';
  }

  private dryRun(req: SimRequest): boolean {
    return req.query.getAll('dryRun').includes('All');
  }

  private namespaceExists(ns: string): void {
    if (!this.store(NAMESPACES).has(`/${ns}`)) throw new StatusError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  }

  private respond(status: number, r: ResourceDef, obj: JsonObject, req: SimRequest): SimResponse {
    return { status, body: this.asAccepted(r, obj, req, false) };
  }

  private asAccepted(r: ResourceDef, obj: JsonObject, req: SimRequest, list: boolean): Json {
    const accept = String(req.headers.accept ?? '');
    if (!list && /as=PartialObjectMetadata(?!List)/.test(accept))
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata as JsonObject };
    return obj;
  }

  // ---- verbs -------------------------------------------------------------------------

  private get(r: ResourceDef, ns: string | undefined, name: string, req: SimRequest): SimResponse {
    const obj = this.store(r).get(this.key(ns, name));
    if (!obj) throw notFound(r, name);
    return this.respond(200, r, obj, req);
  }

  private list(r: ResourceDef, ns: string | undefined, req: SimRequest): SimResponse {
    let sel;
    try {
      sel = parseSelector(req.query.get('labelSelector') ?? '');
    } catch (e) {
      throw badRequest(e instanceof SelectorError ? e.message : String(e));
    }
    const fs = req.query.get('fieldSelector');
    const fieldReqs = (fs ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => {
        const mm = /^(metadata\.name|metadata\.namespace)(!=|==|=)(.*)$/.exec(s.trim());
        if (!mm) throw badRequest(`"${s.split(/[=!]/)[0]}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
        return { field: mm[1], neg: mm[2] === '!=', value: mm[3] };
      });
    const prefix = ns === undefined ? '' : `${ns}/`;
    const keys = [...this.store(r).keys()].filter((k) => k.startsWith(prefix)).sort();
    let items = keys.map((k) => this.store(r).get(k)!).filter((o) => matches(sel, (o.metadata as JsonObject).labels as JsonObject | undefined));
    items = items.filter((o) =>
      fieldReqs.every((f) => {
        const md = o.metadata as JsonObject;
        const v = String((f.field === 'metadata.name' ? md.name : md.namespace) ?? '');
        return f.neg ? v !== f.value : v === f.value;
      }),
    );
    const limit = Number(req.query.get('limit') ?? 0);
    const cont = req.query.get('continue');
    const meta: JsonObject = { resourceVersion: String(this.rv) };
    if (cont) {
      let start: string;
      try {
        start = String((JSON.parse(Buffer.from(cont, 'base64').toString()) as JsonObject).start);
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      items = items.filter((o) => this.key((o.metadata as JsonObject).namespace as string | undefined, String((o.metadata as JsonObject).name)) > start);
    }
    if (limit > 0 && items.length > limit) {
      const last = (items[limit - 1] as JsonObject).metadata as JsonObject;
      meta.continue = Buffer.from(
        JSON.stringify({ v: 'meta.k8s.io/v1', rv: this.rv, start: this.key(last.namespace as string | undefined, String(last.name)) }),
      ).toString('base64');
      meta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    const accept = String(req.headers.accept ?? '');
    if (/as=PartialObjectMetadataList/.test(accept)) {
      return {
        status: 200,
        body: {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: meta,
          // kube-apiserver 1.35 serialises an empty metadata-only list as `items: null`
          items:
            items.length === 0 ? null : items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata as JsonObject })),
        },
      };
    }
    return {
      status: 200,
      body: {
        kind: `${r.kind}List`,
        apiVersion: r.apiVersion,
        metadata: meta,
        items: items.map((o) => {
          const c = { ...o };
          delete c.kind;
          delete c.apiVersion;
          return c;
        }),
      },
    };
  }

  private finishNew(r: ResourceDef, obj: JsonObject, ns: string | undefined, entries: ManagerEntry[]): JsonObject {
    const meta = obj.metadata as JsonObject;
    if (ns !== undefined) meta.namespace = ns;
    meta.uid = randomUUID();
    meta.resourceVersion = this.nextRV();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (r === DEPLOYMENTS) meta.generation = 1;
    else delete meta.generation;
    meta.managedFields = encodeManagedFields(entries);
    delete meta.deletionTimestamp;
    if (r === NAMESPACES) {
      meta.labels = { ...((meta.labels as JsonObject) ?? {}), 'kubernetes.io/metadata.name': String(meta.name) };
    }
    return canonical(r, obj);
  }

  private create(r: ResourceDef, ns: string | undefined, req: SimRequest): SimResponse {
    const raw = this.parseBody(req, r.kind, r.apiVersion);
    this.checkTypeMeta(r, raw, false);
    const obj = this.decode(r, raw);
    const meta = obj.metadata as JsonObject;
    if (ns !== undefined && meta.namespace !== undefined && meta.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!meta.name && meta.generateName) meta.name = `${String(meta.generateName)}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    delete meta.uid;
    delete meta.resourceVersion;
    delete meta.creationTimestamp;
    delete meta.managedFields;
    if (r === NAMESPACES) {
      delete obj.status;
      delete obj.spec; // spec.finalizers is set by the strategy, after the field manager ran
      meta.labels = { ...((meta.labels as JsonObject) ?? {}), 'kubernetes.io/metadata.name': String(meta.name ?? '') };
    }
    if (r === DEPLOYMENTS) delete obj.status;
    const manager = this.fieldManager(req, false);
    if (ns !== undefined) this.namespaceExists(ns);
    this.validate(r, obj);
    const name = String(meta.name);
    if (this.store(r).has(this.key(ns, name))) {
      throw new StatusError(409, 'AlreadyExists', `${r.group ? `${r.resource}.${r.group}` : r.resource} "${name}" already exists`, {
        name,
        ...(r.group ? { group: r.group } : {}),
        kind: r.resource,
      });
    }
    const entries = recordUpdate(r.schema, undefined, obj, [], manager, r.apiVersion);
    if (r === NAMESPACES) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    }
    if (r === DEPLOYMENTS) obj.status = {};
    const stored = this.finishNew(r, obj, ns, entries);
    if (!this.dryRun(req)) this.store(r).set(this.key(ns, name), stored);
    else (stored.metadata as JsonObject).resourceVersion = undefined as unknown as Json;
    return this.respond(201, r, stored, req);
  }

  /** Common tail of PUT and non-apply PATCH: `next` is the full submitted object. */
  private write(r: ResourceDef, ns: string | undefined, name: string, live: JsonObject, nextRaw: JsonObject, manager: string, req: SimRequest): SimResponse {
    this.checkTypeMeta(r, nextRaw, false);
    const next = this.decode(r, nextRaw);
    const meta = next.metadata as JsonObject;
    const lmeta = live.metadata as JsonObject;
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (ns !== undefined && meta.namespace !== undefined && meta.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== lmeta.uid) {
      // what kube-apiserver 1.35 answers (the storage layer's precondition error, verbatim shape)
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.resource}${r.group ? `.${r.group}` : ''} "${name}": StorageError: invalid object, Code: 4, Key: /registry/${r.resource}/${ns ? `${ns}/` : ''}${name}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${String(lmeta.uid)}`,
        { ...(r.group ? { group: r.group } : {}), kind: r.resource },
      );
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== lmeta.resourceVersion) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.resource}${r.group ? `.${r.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, ...(r.group ? { group: r.group } : {}), kind: r.resource },
      );
    }
    meta.name = name;
    if (ns !== undefined) meta.namespace = ns;
    for (const k of ['uid', 'creationTimestamp', 'resourceVersion', 'generation']) {
      if (lmeta[k] !== undefined) meta[k] = lmeta[k];
      else delete meta[k];
    }
    if (r === NAMESPACES) {
      next.spec = live.spec as Json;
      next.status = live.status as Json;
      meta.labels = { ...((meta.labels as JsonObject) ?? {}), 'kubernetes.io/metadata.name': name };
    }
    if (r === DEPLOYMENTS) next.status = live.status as Json;
    this.validate(r, next, live);
    const priorEntries = meta.managedFields === undefined ? decodeManagedFields(lmeta.managedFields) : decodeManagedFields(meta.managedFields);
    const entries = recordUpdate(r.schema, live, next, priorEntries, manager, r.apiVersion);
    return this.commit(r, ns, name, live, next, entries, req, 200);
  }

  private commit(
    r: ResourceDef,
    ns: string | undefined,
    name: string,
    live: JsonObject,
    next: JsonObject,
    entries: ManagerEntry[],
    req: SimRequest,
    status: number,
  ): SimResponse {
    const meta = next.metadata as JsonObject;
    const lmeta = live.metadata as JsonObject;
    meta.managedFields = encodeManagedFields(entries);
    if (meta.resourceVersion === undefined) meta.resourceVersion = lmeta.resourceVersion as Json;
    if (r === DEPLOYMENTS && !deepEqual(live.spec, next.spec)) meta.generation = Number(lmeta.generation ?? 1) + 1;
    const cnext = canonical(r, next);
    const cmpA = { ...cnext, metadata: { ...(cnext.metadata as JsonObject), resourceVersion: '' } };
    const cmpB = { ...live, metadata: { ...lmeta, resourceVersion: '' } };
    if (deepEqual(cmpA, cmpB)) return this.respond(status, r, live, req);
    if (this.dryRun(req)) return this.respond(status, r, cnext, req);
    (cnext.metadata as JsonObject).resourceVersion = this.nextRV();
    this.store(r).set(this.key(ns, name), cnext);
    return this.respond(status, r, cnext, req);
  }

  private update(r: ResourceDef, ns: string | undefined, name: string, req: SimRequest): SimResponse {
    const raw = this.parseBody(req, r.kind, r.apiVersion);
    const live = this.store(r).get(this.key(ns, name));
    if (!live) throw notFound(r, name);
    return this.write(r, ns, name, live, raw, this.fieldManager(req, false), req);
  }

  private patch(r: ResourceDef, ns: string | undefined, name: string, req: SimRequest): SimResponse {
    const ct =
      String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    const live = this.store(r).get(this.key(ns, name));
    if (ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+cbor') return this.apply(r, ns, name, live, req);
    if (req.query.has('force')) {
      throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }],
      });
    }
    if (!['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'].includes(ct)) {
      throw new StatusError(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
    }
    if (!live) throw notFound(r, name);
    const manager = this.fieldManager(req, false);
    let patchDoc: Json;
    try {
      patchDoc = JSON.parse(req.body.toString('utf8')) as Json;
    } catch (e) {
      throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
    }
    let next: Json;
    if (ct === 'application/json-patch+json') next = jsonPatch(live, patchDoc);
    else if (ct === 'application/merge-patch+json') next = mergePatch(live, patchDoc);
    else next = strategicMergePatch(live, patchDoc);
    if (!isObj(next)) throw badRequest('patch result is not an object');
    return this.write(r, ns, name, live, next, manager, req);
  }

  private apply(r: ResourceDef, ns: string | undefined, name: string, live: JsonObject | undefined, req: SimRequest): SimResponse {
    const manager = this.fieldManager(req, true);
    const force = req.query.get('force') === 'true';
    const config = this.parseBody(req, r.kind, r.apiVersion, true);
    this.checkTypeMeta(r, config, true);
    const cmeta = isObj(config.metadata) ? config.metadata : {};
    if (cmeta.name !== undefined && cmeta.name !== name)
      throw badRequest(`the name of the object (${String(cmeta.name)}) does not match the name on the URL (${name})`);
    if (ns !== undefined && cmeta.namespace !== undefined && cmeta.namespace !== ns)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (cmeta.managedFields !== undefined && cmeta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
    if (live && cmeta.uid && cmeta.uid !== (live.metadata as JsonObject).uid) {
      // the apply path validates the merged object: a foreign uid is an immutable-field error
      const cause = { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(String(cmeta.uid))}: field is immutable`, field: 'metadata.uid' };
      throw new StatusError(422, 'Invalid', `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: metadata.uid: ${cause.message}`, {
        ...(r.group ? { group: r.group } : {}),
        kind: r.kind,
        causes: [cause, cause],
      });
    }
    if (live && cmeta.resourceVersion && cmeta.resourceVersion !== (live.metadata as JsonObject).resourceVersion) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: r.resource },
      );
    }
    const asSent: JsonObject = { ...config, metadata: { ...cmeta, name } };
    delete (asSent.metadata as JsonObject).resourceVersion;
    delete (asSent.metadata as JsonObject).uid;
    if (r === SECRETS && isObj(config.stringData)) {
      // the apiserver folds stringData into data during conversion, but the Apply entry still
      // records f:stringData (what was sent) — a known apiserver quirk, reproduced here
      const data: JsonObject = isObj(config.data) ? { ...config.data } : {};
      for (const [k, v] of Object.entries(config.stringData)) data[k] = Buffer.from(String(v ?? '')).toString('base64');
      config.data = data;
      delete config.stringData;
    }
    const cfg: JsonObject = { ...config, metadata: { ...cmeta, name } };
    delete (cfg.metadata as JsonObject).resourceVersion;
    delete (cfg.metadata as JsonObject).uid;
    if (!live) {
      if (ns !== undefined) this.namespaceExists(ns);
      const res = recordApply(r.schema, undefined, cfg, [], manager, r.apiVersion, force, asSent);
      const obj = this.decode(r, res.object);
      this.validate(r, obj);
      if (r === NAMESPACES) {
        obj.spec = { finalizers: ['kubernetes'] };
        obj.status = { phase: 'Active' };
      }
      if (r === DEPLOYMENTS) obj.status = {};
      const stored = this.finishNew(r, obj, ns, res.entries);
      if (!this.dryRun(req)) this.store(r).set(this.key(ns, name), stored);
      return this.respond(201, r, stored, req);
    }
    const res = recordApply(r.schema, live, cfg, decodeManagedFields((live.metadata as JsonObject).managedFields), manager, r.apiVersion, force, asSent);
    const next = this.decode(r, res.object);
    const meta = next.metadata as JsonObject;
    const lmeta = live.metadata as JsonObject;
    for (const k of ['uid', 'creationTimestamp', 'resourceVersion', 'generation']) {
      if (lmeta[k] !== undefined) meta[k] = lmeta[k];
    }
    this.validate(r, next, live);
    return this.commit(r, ns, name, live, next, res.entries, req, 200);
  }

  private delete(r: ResourceDef, ns: string | undefined, name: string, req: SimRequest): SimResponse {
    const live = this.store(r).get(this.key(ns, name));
    if (!live) throw notFound(r, name);
    let opts: JsonObject = {};
    if (req.body.length > 0) opts = this.parseBody(req, 'DeleteOptions', 'meta.k8s.io/v1');
    const pre = isObj(opts.preconditions) ? opts.preconditions : {};
    const lmeta = live.metadata as JsonObject;
    if (pre.uid !== undefined && pre.uid !== null && pre.uid !== lmeta.uid) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.kind} "${name}": the UID in the precondition (${String(pre.uid)}) does not match the UID in record (${String(lmeta.uid)}). The object might have been deleted and then recreated`,
        { name, ...(r.group ? { group: r.group } : {}), kind: r.kind },
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== null && pre.resourceVersion !== lmeta.resourceVersion) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.kind} "${name}": the ResourceVersion in the precondition (${String(pre.resourceVersion)}) does not match the ResourceVersion in record (${String(lmeta.resourceVersion)}). The object might have been modified`,
        { name, ...(r.group ? { group: r.group } : {}), kind: r.kind },
      );
    }
    if (r === NAMESPACES) throw new StatusError(405, 'MethodNotAllowed', 'namespace deletion is not simulated', {});
    if (!this.dryRun(req)) {
      this.store(r).delete(this.key(ns, name));
      this.nextRV();
    }
    // the generic registry answers a completed delete with a Success Status (not the object)
    return {
      status: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, ...(r.group ? { group: r.group } : {}), kind: r.resource, uid: String(lmeta.uid) },
      },
    };
  }
}
