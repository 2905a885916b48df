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

const DATA_PLACEHOLDER = '"__tessera_data_placeholder__"';

/**
 * JSON for `object` with its `data` field replaced by the given values, base64-encoded.
 * Returns the body and every Buffer that held value bytes, for the caller to zero.
 */
export function jsonWithData(object: Record<string, unknown>, values: Map<string, Buffer>): { body: Buffer; sensitive: Buffer[] } {
  const text = JSON.stringify({ ...object, data: '__tessera_data_placeholder__' });
  const at = text.indexOf(DATA_PLACEHOLDER);
  const parts: Buffer[] = [Buffer.from(text.slice(0, at)), Buffer.from('{')];
  const sensitive: Buffer[] = [];
  let first = true;
  for (const [key, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const encoded = base64Buffer(value);
    sensitive.push(encoded);
    parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:"`), encoded, Buffer.from('"'));
    first = false;
  }
  parts.push(Buffer.from('}'), Buffer.from(text.slice(at + DATA_PLACEHOLDER.length)));
  const body = Buffer.concat(parts);
  sensitive.push(body);
  return { body, sensitive };
}

export function zero(buffers: Iterable<Buffer>): void {
  for (const b of buffers) b.fill(0);
}
