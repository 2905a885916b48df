import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCore } from '../core/index.ts';
import { startHost, type Host } from './host.ts';

function call(host: Host, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; address?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: opts.address ?? '127.0.0.1',
        port: host.port,
        path,
        method: opts.method ?? 'POST',
        headers: { host: `127.0.0.1:${host.port}`, ...opts.headers },
        setHost: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end((opts.method ?? 'POST') === 'POST' ? (opts.body ?? '{}') : undefined);
  });
}

describe('headless host security', () => {
  let host: Host;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-host-'));
    const rendererDir = join(dataDir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
    const core = createCore({ dataDir, version: '1.0.0', host: 'headless', env: {} }, { logSinks: [] });
    host = await startHost({ core, rendererDir });
  });
  afterAll(async () => host.close());

  it('prints a ready line with a loopback URL and a 256-bit token in the fragment', () => {
    expect(host.readyLine).toMatch(/^TESSERA_READY http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a call without a token (401)', async () => {
    expect((await call(host, '/rpc/app.info')).status).toBe(401);
  });

  it('refuses a call with a wrong token (401)', async () => {
    const wrong = `${host.token.slice(0, -1)}${host.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await call(host, '/rpc/app.info', { headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403, even with the token', async () => {
    const res = await call(host, '/rpc/app.info', { headers: { host: 'evil.example', authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(403);
  });

  it('refuses a foreign Origin with 403, even with the token', async () => {
    const res = await call(host, '/rpc/app.info', { headers: { origin: 'http://evil.example', authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(403);
  });

  it('answers a correct request with 200 and the envelope', async () => {
    const res = await call(host, '/rpc/app.info', { headers: { origin: `http://127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}` } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { name: 'Tessera', host: 'headless' } });
  });

  it('serves the renderer with a strict CSP', async () => {
    const res = await call(host, '/', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('is bound to 127.0.0.1 only: another loopback address is refused', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const socket = connect({ host: '127.0.0.2', port: host.port });
      socket.on('connect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.on('error', (e) => resolve(e));
    });
    expect(error?.code).toBe('ECONNREFUSED');
  });

  it('sends events over the WebSocket only after the token arrives first', async () => {
    const url = `ws://127.0.0.1:${host.port}/events`;
    const refused = new WebSocket(url);
    await new Promise((r) => refused.on('open', r));
    refused.send(JSON.stringify({ token: 'wrong' }));
    const code = await new Promise<number>((r) => refused.on('close', (c) => r(c)));
    expect(code).toBe(4401);

    const ws = new WebSocket(url);
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ token: host.token }));
    const first = await new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
    expect(JSON.parse(first).event).toBe('backend.heartbeat');
    ws.close();
  });

  it('refuses a WebSocket upgrade from a foreign Origin', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events`, { origin: 'http://evil.example' });
    const outcome = await new Promise<string>((r) => {
      ws.on('open', () => r('open'));
      ws.on('error', () => r('error'));
    });
    expect(outcome).toBe('error');
  });
});

/** Opens a raw WebSocket (no token sent), writes `frame` and resolves when the host closes the socket. */
function rawFrame(port: number, frame: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let seen = '';
    let sent = false;
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (!sent && seen.includes('\r\n\r\n')) {
        sent = true;
        socket.write(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(seen.split('\r\n')[0] ?? ''));
    socket.write(
      `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

const mask = Buffer.from([1, 2, 3, 4]);
const masked = (bytes: number[]) => Buffer.from(bytes.map((b, i) => b ^ mask[i % 4]!));
const len64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
export const MALFORMED_FRAMES: Record<string, Buffer> = {
  'reserved opcode': Buffer.concat([Buffer.from([0x83, 0x80]), mask]),
  'unmasked frame': Buffer.from([0x81, 0x02, 0x68, 0x69]),
  'bad UTF-8': Buffer.concat([Buffer.from([0x81, 0x82]), mask, masked([0xff, 0xfe])]),
  'frame over 64 KB': Buffer.concat([Buffer.from([0x82, 0xff]), len64(70_000), mask, Buffer.alloc(1024)]),
  '1 GB length header': Buffer.concat([Buffer.from([0x82, 0xff]), len64(1024 ** 3), mask]),
};

describe('headless host under malformed input', () => {
  let host: Host;
  const auth = () => ({ authorization: `Bearer ${host.token}` });
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-host-'));
    const rendererDir = join(dataDir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
    const core = createCore({ dataDir, version: '1.0.0', host: 'headless', env: {} }, { logSinks: [] });
    host = await startHost({ core, rendererDir });
  });
  afterAll(async () => host.close());

  for (const [name, frame] of Object.entries(MALFORMED_FRAMES)) {
    it(`survives a WebSocket frame with a ${name}, sent without any token, and keeps answering`, async () => {
      expect(await rawFrame(host.port, frame)).toBe('HTTP/1.1 101 Switching Protocols');
      const res = await call(host, '/rpc/app.info', { headers: auth() });
      expect(res.status).toBe(200);
    });
  }

  it('answers a body over 8 MB with 413 and a sentence, then keeps answering', async () => {
    const big = `{"x":"${'a'.repeat(9 * 1024 * 1024)}"}`;
    const res = await call(host, '/rpc/app.info', { headers: auth(), body: big });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/larger than 8 MB/);
    expect((await call(host, '/rpc/app.info', { headers: auth() })).status).toBe(200);
  });

  it('answers a chunked body that grows past 8 MB with 413', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: '/rpc/app.info', method: 'POST', headers: { host: `127.0.0.1:${host.port}`, ...auth() } },
        (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 9; i++) req.write(chunk);
      req.end();
    });
    expect(res.status).toBe(413);
    expect((await call(host, '/rpc/app.info', { headers: auth() })).status).toBe(200);
  });

  it('answers a malformed request line or bad percent-encoding without failing', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: host.port });
      let seen = '';
      socket.on('data', (d) => (seen += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(seen));
      socket.write('GARBAGE \u0000\u0001 HTTP/9\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await call(host, '/rpc/%E0%A4%A', { headers: auth() })).status).toBe(404);
    expect((await call(host, '/%E0%A4%A', { method: 'GET' })).status).toBe(400);
    expect((await call(host, '/rpc/app.info', { headers: auth() })).status).toBe(200);
  });
});
