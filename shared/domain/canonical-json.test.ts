// Canonical JSON is what the audit chain and plan hashes are computed over: equal values must
// give the same bytes, whatever order their keys were written in.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same bytes for the same value written in another key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2], z: { q: 'a', p: 'b' } })).toBe(canonicalJson({ z: { p: 'b', q: 'a' }, y: [1, 2], x: 1 }));
  });

  it('keeps array order (arrays are sequences, not sets)', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('sorts keys by UTF-16 code units (upper case before lower case, then non-ASCII)', () => {
    expect(canonicalJson({ b: 0, B: 0, é: 0, a: 0 })).toBe('{"B":0,"a":0,"b":0,"é":0}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak "quoted"' })).toBe('{"k\\"ey":"line\\nbreak \\"quoted\\""}');
  });

  it('refuses values with no single JSON form: NaN, Infinity, functions, bigints', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/u);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/finite/u);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/u);
    expect(() => canonicalJson(1n)).toThrow(/bigint/u);
  });
});
