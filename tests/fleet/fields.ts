// Field sets and server-side-apply bookkeeping, modelled on sigs.k8s.io/structured-merge-diff
// as used by the kube-apiserver field manager. Only the schema facts Tessera's objects need
// (Secret, Namespace, apps/v1 Deployment) are encoded; everything else behaves like a plain
// granular map (objects) or an atomic value (lists, scalars).

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Schema facts for one kind. Type paths use field names with `[]` for list items. */
export interface KindSchema {
  /** associative lists (listType=map) and their keys */
  listKeys: Record<string, string[]>;
  /** structs/maps that are atomic (structType=atomic / mapType=atomic) */
  atomic: Set<string>;
  /** non-pointer structs: present (as {}) in the zero object, so never "added" */
  alwaysPresent: Set<string>;
  /** map-typed fields that are omitted when empty (omitempty) */
  omitEmptyMaps: Set<string>;
}

const podSpec = 'spec.template.spec';
export const SCHEMAS: Record<'Secret' | 'Namespace' | 'Deployment', KindSchema> = {
  Secret: {
    listKeys: { 'metadata.ownerReferences': ['uid'] },
    atomic: new Set(),
    alwaysPresent: new Set(['metadata']),
    omitEmptyMaps: new Set(['data', 'stringData', 'metadata.labels', 'metadata.annotations']),
  },
  Namespace: {
    listKeys: {},
    atomic: new Set(),
    alwaysPresent: new Set(['metadata', 'spec', 'status']),
    omitEmptyMaps: new Set(['metadata.labels', 'metadata.annotations']),
  },
  Deployment: {
    listKeys: {
      'metadata.ownerReferences': ['uid'],
      [`${podSpec}.containers`]: ['name'],
      [`${podSpec}.initContainers`]: ['name'],
      [`${podSpec}.containers[].env`]: ['name'],
      [`${podSpec}.initContainers[].env`]: ['name'],
      [`${podSpec}.containers[].volumeMounts`]: ['mountPath'],
      [`${podSpec}.initContainers[].volumeMounts`]: ['mountPath'],
      [`${podSpec}.volumes`]: ['name'],
      [`${podSpec}.containers[].ports`]: ['containerPort', 'protocol'],
      [`${podSpec}.initContainers[].ports`]: ['containerPort', 'protocol'],
    },
    atomic: new Set([
      'spec.selector',
      ...['containers', 'initContainers'].flatMap((c) =>
        ['secretKeyRef', 'configMapKeyRef', 'fieldRef', 'resourceFieldRef'].map((r) => `${podSpec}.${c}[].env[].valueFrom.${r}`),
      ),
    ]),
    alwaysPresent: new Set([
      'metadata',
      'spec',
      'spec.strategy',
      'spec.template',
      'spec.template.metadata',
      podSpec,
      `${podSpec}.containers`,
      `${podSpec}.containers[].resources`,
      `${podSpec}.initContainers[].resources`,
      `${podSpec}.volumes[].volumeSource`,
      'status',
    ]),
    omitEmptyMaps: new Set([
      'metadata.labels',
      'metadata.annotations',
      'spec.template.metadata.labels',
      'spec.template.metadata.annotations',
      `${podSpec}.nodeSelector`,
    ]),
  },
};

/** Fields the field manager never tracks (fieldmanager's strip set). */
const STRIPPED = [
  '["f:apiVersion"]',
  '["f:kind"]',
  '["f:metadata"]',
  '["f:status"]',
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'generation',
    'managedFields',
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ].map((f) => `["f:metadata","f:${f}"]`),
];

// A path is a list of element strings (`f:name`, `k:{"name":"x"}`); a set is a Set of
// JSON-encoded paths, which makes union/difference trivial.
export type PathSet = Set<string>;

export function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyElement(item: Json, keys: string[]): string {
  const k: JsonObject = {};
  const o = isObj(item) ? item : {};
  // container ports: protocol is part of the key and defaults to TCP (schema default)
  for (const key of keys) k[key] = o[key] ?? (key === 'protocol' ? 'TCP' : null);
  return `k:${JSON.stringify(k)}`;
}

function childTPath(tpath: string, field: string): string {
  return tpath ? `${tpath}.${field}` : field;
}

function enc(path: string[]): string {
  return JSON.stringify(path);
}

function stripped(p: string): boolean {
  for (const s of STRIPPED) {
    if (p === s) return true;
    if (s !== '["f:metadata"]' && s !== '["f:status"]' && p.startsWith(s.slice(0, -1) + ',')) return true;
  }
  return p.startsWith('["f:status",') || p.startsWith('["f:metadata","f:managedFields"');
}

function finish(set: PathSet): PathSet {
  for (const p of set) if (stripped(p)) set.delete(p);
  return set;
}

/** The set of fields an applied configuration specifies (SMD ToFieldSet: leaves + list items). */
export function toFieldSet(schema: KindSchema, value: Json): PathSet {
  const out: PathSet = new Set();
  const walk = (v: Json, path: string[], tpath: string): void => {
    if (isObj(v) && !schema.atomic.has(tpath)) {
      const keys = Object.keys(v);
      if (keys.length === 0 && path.length > 0) out.add(enc(path));
      for (const [k, x] of Object.entries(v)) walk(x, [...path, `f:${k}`], childTPath(tpath, k));
      return;
    }
    const lk = schema.listKeys[tpath];
    if (Array.isArray(v) && lk) {
      if (v.length === 0) out.add(enc(path));
      for (const item of v) {
        const ip = [...path, keyElement(item, lk)];
        out.add(enc(ip));
        if (isObj(item)) for (const [k, x] of Object.entries(item)) walk(x, [...ip, `f:${k}`], `${tpath}[].${k}`);
      }
      return;
    }
    out.add(enc(path));
  };
  walk(value, [], '');
  return finish(out);
}

/** Every node of a value (used for wholly added / removed subtrees). */
function allNodes(schema: KindSchema, v: Json, path: string[], tpath: string, out: PathSet, self: boolean): void {
  if (self) out.add(enc(path));
  if (isObj(v) && !schema.atomic.has(tpath)) {
    for (const [k, x] of Object.entries(v)) allNodes(schema, x, [...path, `f:${k}`], childTPath(tpath, k), out, true);
    return;
  }
  const lk = schema.listKeys[tpath];
  if (Array.isArray(v) && lk) {
    for (const item of v) {
      const ip = [...path, keyElement(item, lk)];
      out.add(enc(ip));
      if (isObj(item)) for (const [k, x] of Object.entries(item)) allNodes(schema, x, [...ip, `f:${k}`], `${tpath}[].${k}`, out, true);
    }
  }
}

export interface Comparison {
  added: PathSet;
  modified: PathSet;
  removed: PathSet;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

/** SMD Compare: which fields were added, modified or removed going from a to b. */
export function compare(schema: KindSchema, a: Json | undefined, b: Json | undefined): Comparison {
  const res: Comparison = { added: new Set(), modified: new Set(), removed: new Set() };
  const walk = (x: Json | undefined, y: Json | undefined, path: string[], tpath: string, isItem: boolean): void => {
    // non-pointer structs and non-omitempty lists exist (as {} / null) in the zero object
    const present = schema.alwaysPresent.has(tpath) && !isItem;
    if (x === undefined && present && y !== undefined) x = Array.isArray(y) ? [] : isObj(y) ? {} : undefined;
    if (y === undefined && present && x !== undefined) y = Array.isArray(x) ? [] : isObj(x) ? {} : undefined;
    if (x === undefined && y === undefined) return;
    if (x === undefined) return allNodes(schema, y as Json, path, tpath, res.added, true);
    if (y === undefined) return allNodes(schema, x, path, tpath, res.removed, true);
    if (isObj(x) && isObj(y) && !schema.atomic.has(tpath)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        walk(x[k], y[k], [...path, `f:${k}`], childTPath(tpath, k), false);
      }
      return;
    }
    const lk = schema.listKeys[tpath];
    if (Array.isArray(x) && Array.isArray(y) && lk) {
      const xm = new Map(x.map((i) => [keyElement(i, lk), i]));
      const ym = new Map(y.map((i) => [keyElement(i, lk), i]));
      for (const k of new Set([...xm.keys(), ...ym.keys()])) {
        const xi = xm.get(k);
        const yi = ym.get(k);
        const ip = [...path, k];
        if (xi === undefined) allNodes(schema, yi as Json, ip, `${tpath}[]`, res.added, true);
        else if (yi === undefined) allNodes(schema, xi, ip, `${tpath}[]`, res.removed, true);
        else if (isObj(xi) && isObj(yi)) {
          for (const f of new Set([...Object.keys(xi), ...Object.keys(yi)])) walk(xi[f], yi[f], [...ip, `f:${f}`], `${tpath}[].${f}`, false);
        } else if (!deepEqual(xi, yi)) res.modified.add(enc(ip));
      }
      return;
    }
    if (!deepEqual(x, y)) res.modified.add(enc(path));
  };
  // the root object always exists (as in SMD, where both sides are typed values)
  walk(a ?? {}, b ?? {}, [], '', false);
  finish(res.added);
  finish(res.modified);
  finish(res.removed);
  return res;
}

export function union(...sets: PathSet[]): PathSet {
  const out: PathSet = new Set();
  for (const s of sets) for (const p of s) out.add(p);
  return out;
}
export function difference(a: PathSet, b: PathSet): PathSet {
  const out: PathSet = new Set();
  for (const p of a) if (!b.has(p)) out.add(p);
  return out;
}
export function intersection(a: PathSet, b: PathSet): PathSet {
  const out: PathSet = new Set();
  for (const p of a) if (b.has(p)) out.add(p);
  return out;
}

/** Encode a set as FieldsV1 (`.` marks a member that also has children). */
export function toFieldsV1(set: PathSet): JsonObject {
  const root: JsonObject = {};
  const members: string[][] = [...set].map((p) => JSON.parse(p) as string[]);
  const nodes = new Map<string, JsonObject>();
  for (const path of members) {
    let cur = root;
    for (const el of path) {
      if (!isObj(cur[el])) cur[el] = {};
      cur = cur[el] as JsonObject;
    }
    nodes.set(enc(path), cur);
  }
  for (const [, node] of nodes) {
    if (Object.keys(node).length > 0) node['.'] = {};
  }
  return sortKeys(root) as JsonObject;
}

function sortKeys(v: Json): Json {
  if (!isObj(v)) return v;
  const out: JsonObject = {};
  const keys = Object.keys(v).sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) out[k] = sortKeys(v[k] as Json);
  return out;
}

export function fromFieldsV1(f: Json): PathSet {
  const out: PathSet = new Set();
  const walk = (node: Json, path: string[]): void => {
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (path.length > 0 && (keys.length === 0 || keys.includes('.'))) out.add(enc(path));
    for (const [k, x] of Object.entries(node)) if (k !== '.') walk(x, [...path, k]);
  };
  walk(f, []);
  return out;
}

/** Human form used in conflict messages: `.data.foo`, `.spec...containers[name="app"].env[name="X"]`. */
export function pathString(p: string): string {
  const els = JSON.parse(p) as string[];
  let s = '';
  for (const el of els) {
    if (el.startsWith('f:')) s += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const k = JSON.parse(el.slice(2)) as JsonObject;
      s += `[${Object.entries(k)
        .map(([kk, vv]) => `${kk}=${JSON.stringify(vv)}`)
        .join(',')}]`;
    } else s += `[${el}]`;
  }
  return s;
}

function clone<T extends Json | undefined>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** SMD Merge: config over live; granular maps recurse, associative lists merge by key. */
export function mergeApply(schema: KindSchema, live: Json | undefined, config: Json, tpath = ''): Json {
  if (isObj(config) && !schema.atomic.has(tpath)) {
    const out: JsonObject = isObj(live) ? { ...live } : {};
    for (const [k, x] of Object.entries(config)) out[k] = mergeApply(schema, out[k], x, childTPath(tpath, k));
    return out;
  }
  const lk = schema.listKeys[tpath];
  if (Array.isArray(config) && lk) {
    const out: Json[] = Array.isArray(live) ? [...live] : [];
    for (const item of config) {
      const key = keyElement(item, lk);
      const idx = out.findIndex((x) => keyElement(x, lk) === key);
      if (idx >= 0) out[idx] = mergeApply(schema, out[idx], item, `${tpath}[]`);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(config);
}

/** Remove the node at a field path from an object (used by apply's pruning). */
export function removePath(schema: KindSchema, obj: JsonObject, p: string): void {
  const els = JSON.parse(p) as string[];
  let cur: Json = obj;
  let tpath = '';
  for (let i = 0; i < els.length; i++) {
    const el = els[i] as string;
    const last = i === els.length - 1;
    if (el.startsWith('f:')) {
      if (!isObj(cur)) return;
      const f = el.slice(2);
      if (last) {
        delete cur[f];
        return;
      }
      cur = cur[f] as Json;
      tpath = childTPath(tpath, f);
    } else if (el.startsWith('k:')) {
      const lk = schema.listKeys[tpath];
      if (!Array.isArray(cur) || !lk) return;
      const idx = cur.findIndex((x) => keyElement(x, lk) === el);
      if (idx < 0) return;
      if (last) {
        cur.splice(idx, 1);
        return;
      }
      cur = cur[idx] as Json;
      tpath = `${tpath}[]`;
    } else return;
  }
}

/** Drop empty omitempty maps and empty lists, as a Go JSON round trip would. */
export function normalize(schema: KindSchema, v: Json, tpath = ''): Json {
  if (isObj(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const ct = childTPath(tpath, k);
      if (x === undefined) continue;
      const n = normalize(schema, x, ct);
      if (Array.isArray(n) && n.length === 0) continue;
      if (isObj(n) && Object.keys(n).length === 0 && schema.omitEmptyMaps.has(ct)) continue;
      out[k] = n;
    }
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => normalize(schema, x, `${tpath}[]`));
  return v;
}

// ---- managers ---------------------------------------------------------------------------

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string | undefined;
  set: PathSet;
}

export function managerKey(m: { manager: string; operation: string }): string {
  return `${m.manager}\u0000${m.operation}`;
}

export function decodeManagedFields(mf: Json | undefined): ManagerEntry[] {
  if (!Array.isArray(mf)) return [];
  return mf.filter(isObj).map((e) => ({
    manager: String(e.manager ?? ''),
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: String(e.apiVersion ?? ''),
    time: typeof e.time === 'string' ? e.time : undefined,
    set: fromFieldsV1(e.fieldsV1 ?? {}),
  }));
}

export function encodeManagedFields(entries: ManagerEntry[]): Json[] {
  const sorted = [...entries].sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = p.time ? Date.parse(p.time) : 0;
    const qs = q.time ? Date.parse(q.time) : 0;
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    return p.apiVersion < q.apiVersion ? -1 : p.apiVersion > q.apiVersion ? 1 : 0;
  });
  return sorted.map((e) => {
    const o: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = toFieldsV1(e.set);
    return o;
  });
}

export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Conflict {
  manager: string;
  operation: string;
  apiVersion: string;
  fields: string[];
}

export class ApplyConflictError extends Error {
  conflicts: Conflict[];
  constructor(conflicts: Conflict[]) {
    super('apply conflict');
    this.conflicts = conflicts;
  }
}

/** Strip non-tracked parts so comparisons only see the fields the manager tracks. */
function body(obj: JsonObject): JsonObject {
  const o = { ...obj };
  delete o.status;
  return o;
}

/**
 * A non-apply write (create, update, patch) by `manager`: SMD Updater.Update plus the
 * apiserver's managedFieldsUpdater (a no-op write leaves the manager's entry untouched).
 */
export function recordUpdate(
  schema: KindSchema,
  oldObj: JsonObject | undefined,
  newObj: JsonObject,
  entries: ManagerEntry[],
  manager: string,
  apiVersion: string,
): ManagerEntry[] {
  const cmp = compare(schema, oldObj ? body(oldObj) : undefined, body(newObj));
  const changed = union(cmp.modified, cmp.added);
  const out: ManagerEntry[] = [];
  for (const e of entries) {
    const set = difference(difference(e.set, changed), cmp.removed);
    if (set.size > 0) out.push({ ...e, set });
  }
  if (changed.size === 0) return out;
  const key = managerKey({ manager, operation: 'Update' });
  const prev = out.find((e) => managerKey(e) === key);
  if (prev) {
    prev.set = union(prev.set, changed);
    prev.time = nowTime();
    prev.apiVersion = apiVersion;
  } else out.push({ manager, operation: 'Update', apiVersion, time: nowTime(), set: changed });
  return out;
}

export interface ApplyResult {
  object: JsonObject;
  entries: ManagerEntry[];
  objectChanged: boolean;
}

/** SMD Updater.Apply: merge, prune what the applier stopped specifying, detect conflicts. */
export function recordApply(
  schema: KindSchema,
  live: JsonObject | undefined,
  config: JsonObject,
  entries: ManagerEntry[],
  manager: string,
  apiVersion: string,
  force: boolean,
  /** the configuration as sent, when it differs from what is merged (Secret stringData) */
  configAsSent?: JsonObject,
): ApplyResult {
  const key = managerKey({ manager, operation: 'Apply' });
  const configSet = toFieldSet(schema, configAsSent ?? config);
  let merged = mergeApply(schema, live ?? {}, config) as JsonObject;
  const last = entries.find((e) => managerKey(e) === key);
  const others = entries.filter((e) => managerKey(e) !== key);
  if (last) {
    const ownedByOthers = union(...others.map((e) => e.set));
    const gone = difference(difference(last.set, configSet), ownedByOthers);
    // remove the outermost nodes only: a list item's key fields must still identify it
    const isUnder = (p: string): boolean => {
      const els = JSON.parse(p) as string[];
      for (let i = 1; i < els.length; i++) if (gone.has(JSON.stringify(els.slice(0, i)))) return true;
      return false;
    };
    for (const p of gone) if (!isUnder(p)) removePath(schema, merged, p);
  }
  merged = normalize(schema, merged) as JsonObject;
  const cmp = compare(schema, live ? body(live) : undefined, body(merged));
  const changed = union(cmp.modified, cmp.added);
  const conflicts: Conflict[] = [];
  const out: ManagerEntry[] = [];
  for (const e of others) {
    const c = intersection(e.set, changed);
    if (c.size > 0) conflicts.push({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, fields: [...c].map(pathString).sort() });
    const set = difference(difference(e.set, c), cmp.removed);
    if (set.size > 0) out.push({ ...e, set });
  }
  if (conflicts.length > 0 && !force) throw new ApplyConflictError(conflicts);
  const objectChanged = !deepEqual(body(live ?? {}), body(merged));
  const sameSet = last !== undefined && last.set.size === configSet.size && [...configSet].every((p) => last.set.has(p));
  out.push({
    manager,
    operation: 'Apply',
    apiVersion,
    time: objectChanged || !sameSet || !last ? nowTime() : last.time,
    set: configSet,
  });
  return { object: merged, entries: out.filter((e) => e.set.size > 0), objectChanged };
}
