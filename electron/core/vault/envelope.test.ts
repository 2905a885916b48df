// The envelope format: canonical payload, AAD layout, AES-256-GCM sealing and the import parsers.
import { describe, it, expect } from 'vitest';
import { createDecipheriv } from 'node:crypto';
import type { TesseraError } from '../../../shared/contract/index.ts';
import { additionalData, decodePayload, encodePayload, newDek, open, seal } from './envelope.ts';
import { entriesFromEnvFile, entriesFromManifest } from './import-formats.ts';

const binding = { versionId: 'v-1', appId: 'app-1', secretName: 'db', number: 3 };

describe('envelope', () => {
  it('encodes the payload canonically: sorted by name, length-prefixed', () => {
    const a = encodePayload([
      { name: 'b', value: Buffer.from('2') },
      { name: 'a', value: Buffer.from('1') },
    ]);
    const b = encodePayload([
      { name: 'a', value: Buffer.from('1') },
      { name: 'b', value: Buffer.from('2') },
    ]);
    expect(a.equals(b)).toBe(true);
    expect(a.toString('hex')).toBe(
      Buffer.concat([
        Buffer.from('TSP1'),
        Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]),
        Buffer.from('a'),
        Buffer.from([0, 0, 0, 1]),
        Buffer.from('1'),
        Buffer.from([0, 0, 0, 1]),
        Buffer.from('b'),
        Buffer.from([0, 0, 0, 1]),
        Buffer.from('2'),
      ]).toString('hex'),
    );
    expect(decodePayload(a)!.map((e) => [e.name, e.value.toString()])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(decodePayload(Buffer.concat([a, Buffer.from([0])]))).toBeNull();
    expect(decodePayload(b.subarray(0, b.length - 1))).toBeNull();
  });

  it('lays out the additional data as length-prefixed fields', () => {
    const aad = additionalData(binding);
    expect(aad.toString('hex')).toBe(
      ['tessera.secret.v1', 'v-1', 'app-1', 'db', '3'].map((f) => Buffer.concat([Buffer.from([0, 0, 0, f.length]), Buffer.from(f)]).toString('hex')).join(''),
    );
  });

  it('seals with AES-256-GCM that a plain decipher can open; any change fails', () => {
    const dek = newDek();
    const payload = encodePayload([{ name: 'K', value: Buffer.from('v') }]);
    const { nonce, ciphertext } = seal(dek, payload, binding);
    expect(nonce).toHaveLength(12);
    const d = createDecipheriv('aes-256-gcm', dek, nonce);
    d.setAAD(additionalData(binding));
    d.setAuthTag(ciphertext.subarray(-16));
    expect(Buffer.concat([d.update(ciphertext.subarray(0, -16)), d.final()]).equals(payload)).toBe(true);
    expect(open(dek, nonce, ciphertext, binding)!.equals(payload)).toBe(true);
    expect(open(dek, nonce, ciphertext, { ...binding, number: 4 })).toBeNull();
    expect(open(dek, nonce, ciphertext, { ...binding, secretName: 'db2' })).toBeNull();
    const flipped = Buffer.from(ciphertext);
    flipped[0]! ^= 1;
    expect(open(dek, nonce, flipped, binding)).toBeNull();
  });
});

describe('import formats', () => {
  const refuse = (fn: () => unknown): TesseraError => {
    try {
      fn();
    } catch (e) {
      return e as TesseraError;
    }
    throw new Error('expected refusal');
  };

  it('reads a Secret manifest: data is base64, stringData wins', () => {
    const e = entriesFromManifest('apiVersion: v1\nkind: Secret\ndata:\n  a: aGVsbG8=\n  b: eA==\nstringData:\n  b: plain\n');
    expect(e.map((x) => [x.name, x.value.toString()])).toEqual([
      ['a', 'hello'],
      ['b', 'plain'],
    ]);
  });

  it('names the key and line, never the value, of bad base64', () => {
    const err = refuse(() => entriesFromManifest('kind: Secret\ndata:\n  token: "sekrit-value!"\n'));
    expect(err.message).toBe('"data.token" (line 3) is not valid base64.');
    expect(refuse(() => entriesFromManifest('kind: ConfigMap\ndata: {}\n')).message).toMatch(/kind: Secret/u);
    expect(refuse(() => entriesFromManifest('kind: Secret\ndata: [sekrit-value\n')).message).not.toMatch(/sekrit/u);
  });

  it('reads a .env file with comments, export, quotes and escapes', () => {
    const e = entriesFromEnvFile('# c\nexport A=1\nB = "x\\ny" # note\nC=\'$raw \\n\'\nD=plain value # comment\n\n');
    expect(e.map((x) => [x.name, x.value.toString()])).toEqual([
      ['A', '1'],
      ['B', 'x\ny'],
      ['C', '$raw \\n'],
      ['D', 'plain value'],
    ]);
  });

  it('names the line of a bad .env entry, never the value', () => {
    const err = refuse(() => entriesFromEnvFile('A=1\nB="sekrit\n'));
    expect(err.message).toMatch(/^Line 2 .*key "B"/u);
    expect(err.message).not.toMatch(/sekrit/u);
    expect(refuse(() => entriesFromEnvFile('A=1\nnot a pair\n')).message).toMatch(/^Line 2/u);
    expect(refuse(() => entriesFromEnvFile('A=1\nA=2\n')).message).toMatch(/repeats key "A"/u);
  });
});
