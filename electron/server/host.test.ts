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
