// Builds request bodies that carry secret values as Buffers (never as JS strings), so they can
// be zeroed right after the request. Everything else in the body is ordinary JSON.

const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Base64 of `input`, written into a new Buffer (no intermediate string). */
export function base64Buffer(input: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(input.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < input.length; i += 3) {
    const n = (input[i]! << 16) | (input[i + 1]! << 8) | input[i + 2]!;
    out[o++] = ALPHABET[(n >> 18) & 63]!;
    out[o++] = ALPHABET[(n >> 12) & 63]!;
    out[o++] = ALPHABET[(n >> 6) & 63]!;
    out[o++] = ALPHABET[n & 63]!;
  }
  const rest = input.length - i;
  if (rest > 0) {
    const n = (input[i]! << 16) | (rest === 2 ? input[i + 1]! << 8 : 0);
    out[o++] = ALPHABET[(n >> 18) & 63]!;
    out[o++] = ALPHABET[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? ALPHABET[(n >> 6) & 63]! : 0x3d;
    out[o] = 0x3d;
  }
  return out;
}

/**
 * JSON for `object` with a `data` field holding the given values, base64-encoded.
 * Built structurally: the object (which must not have `data`) is serialised on its own and the
 * data member is spliced in before its closing brace, so nothing inside the object — least of all
 * a string that came from a cluster — can decide where the values land.
 * Returns the body and every Buffer that held value bytes, for the caller to zero.
 */
export function jsonWithData(object: Record<string, unknown>, values: Map<string, Buffer>): { body: Buffer; sensitive: Buffer[] } {
  if ('data' in object) throw new TypeError('jsonWithData: the object must not have a data field of its own');
  const text = JSON.stringify(object);
  // JSON.stringify of a plain object always ends with its own closing brace.
  const head = text.slice(0, -1);
  const parts: Buffer[] = [Buffer.from(head), Buffer.from(head === '{' ? '"data":{' : ',"data":{')];
  const sensitive: Buffer[] = [];
  let first = true;
  for (const [key, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const encoded = base64Buffer(value);
    sensitive.push(encoded);
    parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:"`), encoded, Buffer.from('"'));
    first = false;
  }
  parts.push(Buffer.from('}}'));
  const body = Buffer.concat(parts);
  sensitive.push(body);
  return { body, sensitive };
}

export function zero(buffers: Iterable<Buffer>): void {
  for (const b of buffers) b.fill(0);
}
