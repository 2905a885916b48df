// JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the subset of strategic merge patch
// that kubectl edit/patch produce for Secrets and Deployments.
import { isObj } from './fields.ts';
import type { Json, JsonObject } from './fields.ts';

export class PatchError extends Error {
  code: number;
  constructor(message: string, code = 422) {
    super(message);
    this.code = code;
  }
}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: JsonObject = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** patchMergeKey for lists with patchStrategy=merge, by type path. */
const SMP_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'spec.template.spec.containers': 'name',
  'spec.template.spec.initContainers': 'name',
  'spec.template.spec.containers[].env': 'name',
  'spec.template.spec.initContainers[].env': 'name',
  'spec.template.spec.containers[].volumeMounts': 'mountPath',
  'spec.template.spec.initContainers[].volumeMounts': 'mountPath',
  'spec.template.spec.containers[].ports': 'containerPort',
  'spec.template.spec.volumes': 'name',
  'spec.template.spec.imagePullSecrets': 'name',
};
const SMP_PRIMITIVE_MERGE = new Set(['metadata.finalizers']);

export function strategicMergePatch(target: Json | undefined, patch: Json, tpath = ''): Json {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const p = { ...patch };
    delete p['$patch'];
    return p;
  }
  if (patch['$patch'] === 'delete') return null;
  const out: JsonObject = isObj(target) ? { ...target } : {};
  const retain = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as Json[]).filter((x) => !v.includes(x));
      continue;
    }
    const ct = tpath ? `${tpath}.${k}` : k;
    if (v === null) {
      delete out[k];
      continue;
    }
    const mk = SMP_KEYS[ct];
    if (Array.isArray(v) && mk) {
      const server: Json[] = Array.isArray(out[k]) ? [...(out[k] as Json[])] : [];
      const serverIndex = (x: Json): number => server.findIndex((s) => isObj(s) && isObj(x) && s[mk] === x[mk]);
      const deleted = new Set<Json>();
      const patched: { item: Json; at: number }[] = [];
      for (const item of v) {
        if (!isObj(item)) continue;
        const idx = serverIndex(item);
        const orig = server[idx] as Json;
        if (item['$patch'] === 'delete') {
          if (idx >= 0) deleted.add(orig);
          continue;
        }
        if (idx >= 0) {
          patched.push({ item: strategicMergePatch(orig, item, `${ct}[]`), at: idx });
          deleted.add(orig);
        } else patched.push({ item: strategicMergePatch(undefined, item, `${ct}[]`), at: -1 });
      }
      // normalizeElementOrder without $setElementOrder: patch items in patch order, server-only
      // items in server order, interleaved by server position; patch-only items go first
      const serverOnly = server.map((item, at) => ({ item, at })).filter((x) => !deleted.has(x.item));
      const cur: Json[] = [];
      let pi = 0;
      let si = 0;
      for (;;) {
        const p = patched[pi];
        const so = serverOnly[si];
        if (!p && !so) break;
        if (!p || (so && p.at >= 0 && so.at < p.at)) {
          cur.push((so as { item: Json }).item);
          si++;
        } else {
          cur.push(p.item);
          pi++;
        }
      }
      out[k] = cur;
      continue;
    }
    if (Array.isArray(v) && SMP_PRIMITIVE_MERGE.has(ct)) {
      const cur: Json[] = Array.isArray(out[k]) ? [...(out[k] as Json[])] : [];
      for (const x of v) if (!cur.includes(x)) cur.push(x);
      out[k] = cur;
      continue;
    }
    out[k] = isObj(v) ? strategicMergePatch(out[k], v, ct) : structuredClone(v);
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const f = k.slice('$setElementOrder/'.length);
    const mk = SMP_KEYS[tpath ? `${tpath}.${f}` : f];
    const list = out[f];
    if (!Array.isArray(list)) continue;
    const pos = (x: Json): number => {
      const i = order.findIndex((o) => (mk ? isObj(o) && isObj(x) && o[mk] === x[mk] : o === x));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    out[f] = [...list].sort((a, b) => pos(a) - pos(b));
  }
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function unescape(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(p)}`, 400);
  return p.slice(1).split('/').map(unescape);
}

function getAt(doc: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const el of path) {
    if (Array.isArray(cur)) cur = cur[Number(el)];
    else if (isObj(cur)) cur = cur[el];
    else return undefined;
  }
  return cur;
}

export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be a list of operations', 400);
  let root = structuredClone(doc);
  for (const op of ops) {
    if (!isObj(op)) throw new PatchError('invalid json patch operation', 400);
    const path = parsePointer(String(op.path ?? ''));
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1] ?? '';
    const remove = (p: string[]): Json | undefined => {
      const parent = getAt(root, p.slice(0, -1));
      const l = p[p.length - 1] ?? '';
      if (Array.isArray(parent)) return parent.splice(Number(l), 1)[0];
      if (isObj(parent) && Object.hasOwn(parent, l)) {
        const v = parent[l];
        delete parent[l];
        return v;
      }
      throw new PatchError(`Unable to remove nonexistent key: ${l}: missing value`);
    };
    const add = (p: string[], value: Json): void => {
      if (p.length === 0) {
        root = value;
        return;
      }
      const parent = getAt(root, p.slice(0, -1));
      const l = p[p.length - 1] ?? '';
      if (Array.isArray(parent)) {
        if (l === '-') parent.push(value);
        else parent.splice(Number(l), 0, value);
      } else if (isObj(parent)) parent[l] = value;
      else throw new PatchError(`add operation does not apply: doc is missing path: "${String(op.path)}": missing value`);
    };
    switch (op.op) {
      case 'add':
        add(path, structuredClone(op.value ?? null));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace': {
        if (getAt(root, path) === undefined) throw new PatchError(`replace operation does not apply: doc is missing key: ${String(op.path)}: missing value`);
        const parent = getAt(root, parentPath);
        if (Array.isArray(parent)) parent[Number(last)] = structuredClone(op.value ?? null);
        else if (isObj(parent)) parent[last] = structuredClone(op.value ?? null);
        else root = structuredClone(op.value ?? null);
        break;
      }
      case 'test': {
        const cur = getAt(root, path);
        if (JSON.stringify(cur) !== JSON.stringify(op.value)) throw new PatchError('testing value failed');
        break;
      }
      case 'move': {
        const v = remove(parsePointer(String(op.from ?? '')));
        add(path, v ?? null);
        break;
      }
      case 'copy':
        add(path, structuredClone(getAt(root, parsePointer(String(op.from ?? ''))) ?? null));
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(op.op)}`, 400);
    }
  }
  return root;
}
