// Decoding of the Kubernetes protobuf envelope for the few built-in objects kubectl sends as
// protobuf (`kubectl create secret|namespace` use the typed clientset, which writes
// application/vnd.kubernetes.protobuf). Responses are always JSON, which clients accept.
import type { Json, JsonObject } from './fields.ts';

interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++] as number;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(i, i + 8) });
      i += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(i, i + 4) });
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field): string => (f.value as Buffer).toString('utf8');

function mapEntry(f: Field): [string, Buffer] {
  let k = '';
  let v: Buffer = Buffer.alloc(0);
  for (const e of fields(f.value as Buffer)) {
    if (e.no === 1) k = str(e);
    if (e.no === 2) v = e.value as Buffer;
  }
  return [k, v];
}

function objectMeta(buf: Buffer): JsonObject {
  const m: JsonObject = {};
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        m.name = str(f);
        break;
      case 2:
        m.generateName = str(f);
        break;
      case 3:
        m.namespace = str(f);
        break;
      case 5:
        m.uid = str(f);
        break;
      case 6:
        m.resourceVersion = str(f);
        break;
      case 11:
      case 12: {
        const key = f.no === 11 ? 'labels' : 'annotations';
        const [k, v] = mapEntry(f);
        m[key] = { ...((m[key] as JsonObject) ?? {}), [k]: v.toString('utf8') };
        break;
      }
      case 14:
        m.finalizers = [...((m.finalizers as Json[]) ?? []), str(f)];
        break;
      default:
        break;
    }
  }
  return m;
}

/** Decode a `k8s\0`-prefixed protobuf body for Secret or Namespace into its JSON form. */
export function decodeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000') throw new Error('missing protobuf magic');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(f.value as Buffer)) {
        if (t.no === 1) apiVersion = str(t);
        if (t.no === 2) kind = str(t);
      }
    } else if (f.no === 2) raw = f.value as Buffer;
  }
  const obj: JsonObject = { apiVersion, kind };
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.value as Buffer);
    else if (kind === 'Secret') {
      if (f.no === 2) {
        const [k, v] = mapEntry(f);
        obj.data = { ...((obj.data as JsonObject) ?? {}), [k]: v.toString('base64') };
      } else if (f.no === 3) obj.type = str(f);
      else if (f.no === 4) {
        const [k, v] = mapEntry(f);
        obj.stringData = { ...((obj.stringData as JsonObject) ?? {}), [k]: v.toString('utf8') };
      } else if (f.no === 5) obj.immutable = (f.value as bigint) !== 0n;
    } else if (kind === 'Namespace') {
      if (f.no === 2) {
        const spec: JsonObject = {};
        for (const s of fields(f.value as Buffer)) if (s.no === 1) spec.finalizers = [...((spec.finalizers as Json[]) ?? []), str(s)];
        obj.spec = spec;
      }
    } else throw new Error(`protobuf is only simulated for Secret and Namespace, not ${kind}`);
  }
  const meta = (obj.metadata ??= {}) as JsonObject;
  // proto2 writes empty optional strings; JSON omits them
  for (const k of Object.keys(meta)) if (meta[k] === '') delete meta[k];
  return obj;
}
