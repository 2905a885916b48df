// Random values from the browser's CSPRNG, uniform over the charset (rejection sampling, so no
// character is likelier than another).

export const CHARSETS = {
  alphanumeric: { label: 'Letters and digits', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' },
  symbols: { label: 'Letters, digits and symbols', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~' },
  hex: { label: 'Hex (0-9a-f)', chars: '0123456789abcdef' },
  base64url: { label: 'Base64url (A-Z a-z 0-9 - _)', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_' },
} as const;

export type CharsetName = keyof typeof CHARSETS;

/** A random string of `length` characters drawn uniformly from the charset. */
export function randomValue(length: number, charset: CharsetName): string {
  const chars = CHARSETS[charset].chars;
  const n = chars.length;
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  let out = '';
  const buffer = new Uint32Array(Math.max(16, length));
  while (out.length < length) {
    crypto.getRandomValues(buffer);
    for (const x of buffer) {
      if (x < limit) out += chars[x % n];
      if (out.length === length) break;
    }
  }
  buffer.fill(0);
  return out;
}
