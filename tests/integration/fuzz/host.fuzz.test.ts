// Property-based fuzzing of every channel (fast-check): generated inputs through the dispatcher
// and over HTTP to a real `tessera serve`, and malformed frames over its WebSocket. Whatever
// arrives, the answer is an envelope that is never INTERNAL, the process stays up, and the host
// still answers afterwards. The counts per channel are printed; docs/threat-model.md quotes the total.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../../electron/core/index.ts';
import { channels, type ChannelName } from '../../../shared/contract/index.ts';
import { serveTessera, type ServedTessera } from '../../support/serve.ts';

const NAMES = Object.keys(channels).sort() as ChannelName[];
const RUNS_DISPATCHER = Number(process.env.TESSERA_FUZZ_RUNS ?? 60);
const RUNS_HTTP = Math.max(5, Math.round(RUNS_DISPATCHER / 4));
const FRAMES = RUNS_DISPATCHER * 3;
const CALL_TIMEOUT_MS = 20_000;

/** The keys a channel's schema knows, so that generated objects reach past the first "unknown key" check. */
function knownKeys(name: ChannelName): string[] {
  const schema = channels[name].input as unknown as { shape?: Record<string, unknown> };
  return schema.shape ? Object.keys(schema.shape) : [];
}

const leaf = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', 'default', '../../etc/passwd', 'a'.repeat(300), '__proto__', 'constructor', '0', '-1', 'env=prod', '*'),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('any'), { maxKeys: 4 }),
})).any;

/** Mostly objects shaped like the channel's input, sometimes anything at all. */
function inputFor(name: ChannelName): fc.Arbitrary<unknown> {
  const keys = knownKeys(name);
  const shaped = keys.length === 0 ? fc.object() : fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] });
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything() });
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)),
  ]);
}

/** Sends raw bytes after a WebSocket handshake (or instead of one) and waits for the host to close or answer. */
function rawSocket(port: number, frame: Uint8Array, handshake: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let seen = '';
    const done = () => {
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 1500);
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (handshake && seen.includes('\r\n\r\n')) {
        handshake = false;
        socket.write(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (handshake) {
      socket.write(
        `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${Buffer.alloc(16, 3).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    } else socket.write(frame);
  });
}

describe('fuzzing every channel and the WebSocket', () => {
  let dir: string;
  let core: Core;
  let served: ServedTessera;
  const counts = new Map<string, { dispatcher: number; http: number }>();
  const count = (name: string, via: 'dispatcher' | 'http') => {
    const c = counts.get(name) ?? { dispatcher: 0, http: 0 };
    c[via]++;
    counts.set(name, c);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-fuzz-'));
    // No clusters and no tokens: every channel answers from its own checks, fast.
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const env = { HOME: dir, KUBECONFIG: kubeconfig, TESSERA_ACTOR: 'fuzzer' };
    core = createCore({ dataDir: join(dir, 'dispatcher'), kubeconfig, version: 'fuzz', host: 'headless', env }, { logSinks: [] });
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
    served = await serveTessera({
      dataDir: join(dir, 'served'),
      env: { ...env, TESSERA_RENDERER_DIR: rendererDir },
      args: ['--kubeconfig', kubeconfig],
    });
  }, 120_000);

  afterAll(async () => {
    const lines = NAMES.map((n) => `  ${n}: ${counts.get(n)?.dispatcher ?? 0} via the dispatcher, ${counts.get(n)?.http ?? 0} over HTTP`);
    const total = [...counts.values()].reduce((sum, c) => sum + c.dispatcher + c.http, 0);
    console.log(`fuzz: inputs tried per channel\n${lines.join('\n')}\nfuzz: ${total} inputs over ${NAMES.length} channels, ${FRAMES} random WebSocket frames`);
    await core?.close();
    await served?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (channel: string, body: string) => {
    const res = await fetch(`${served.origin}/rpc/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, json: (await res.json()) as { ok: boolean; error?: { code: string; message: string } } };
  };

  it('through the dispatcher: every channel answers every input with an envelope, never INTERNAL', async () => {
    for (const name of NAMES) {
      await fc.assert(
        fc.asyncProperty(inputFor(name), async (input) => {
          count(name, 'dispatcher');
          const result = await withTimeout(core.dispatcher.dispatch(name, input, { transport: 'http' }), name);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.error.code, `${name}: ${result.error.message}`).not.toBe('INTERNAL');
        }),
        { numRuns: RUNS_DISPATCHER, seed: 1405, endOnFailure: true },
      );
    }
  }, 900_000);

  it('over HTTP to tessera serve: envelopes, never INTERNAL, and the process stays up', async () => {
    for (const name of NAMES) {
      await fc.assert(
        fc.asyncProperty(inputFor(name), async (input) => {
          count(name, 'http');
          let body: string;
          try {
            body = JSON.stringify(input) ?? 'null';
          } catch {
            body = '{';
          }
          const { status, json } = await withTimeout(post(name, body), name);
          expect([200, 400]).toContain(status);
          if (!json.ok) expect(json.error!.code, `${name}: ${json.error!.message}`).not.toBe('INTERNAL');
        }),
        { numRuns: RUNS_HTTP, seed: 1406, endOnFailure: true },
      );
    }
    // Names that are not channels, and bodies that are not JSON.
    expect((await post('no.such.channel', '{}')).json.error!.code).toBe('NOT_FOUND');
    expect((await post('app.info', '{"unterminated')).status).toBe(400);
    expect(served.process.exitCode).toBeNull();
  }, 900_000);

  it('malformed WebSocket frames, with and without a handshake, never end the host', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 96 }), fc.boolean(), async (frame, handshake) => {
        await rawSocket(Number(new URL(served.origin).port), frame, handshake);
      }),
      { numRuns: FRAMES, seed: 1407 },
    );
    expect(served.process.exitCode).toBeNull();
    const info = await post('app.info', '{}');
    expect(info).toMatchObject({ status: 200, json: { ok: true } });
  }, 300_000);
});
