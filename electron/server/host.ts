// The headless host: the same dispatcher as Electron IPC, over HTTP (POST /rpc/<channel>) and
// WebSocket (events), plus the built renderer. Loopback only, one random token per launch;
// a foreign Host header (DNS rebinding) or Origin is refused before anything else runs.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/index.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/domain/csp.ts';
import { rendererContentType } from '../../shared/domain/content-types.ts';

export interface HostOptions {
  core: Core;
  /** 0 or undefined: a free port. */
  port?: number;
  /** Folder with the built renderer (index.html). */
  rendererDir: string;
  /** Fixed token for tests; a fresh 256-bit one otherwise. */
  token?: string;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  /** The line printed when ready: TESSERA_READY http://127.0.0.1:<port>/#token=<token> */
  readyLine: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** A body over MAX_BODY_BYTES: answered with 413 and a sentence, never a reset connection. */
class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      // Do not read what was announced; the 413 goes out and the connection closes.
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overflow) {
        // Keep draining (so the client can read the 413), but not forever.
        if (size > 4 * MAX_BODY_BYTES) req.destroy();
        return;
      }
      if (size > MAX_BODY_BYTES) {
        overflow = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The sentence a 413 carries. */
export const TOO_LARGE_MESSAGE = `The request body is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB, the most this host accepts; send less per call.`;

export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const { core } = options;
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

  /** Host and Origin checks shared by HTTP and the WebSocket upgrade. Returns a refusal or null. */
  const refuseForeign = (req: IncomingMessage): string | null => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return 'This host only answers to its own loopback address.';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) return 'Requests from another origin are refused.';
    return null;
  };

  const serveStatic = async (res: ServerResponse, urlPath: string) => {
    const root = normalize(options.rendererDir);
    const decoded = safeDecode(urlPath);
    if (decoded === null) return send(res, 400, { error: 'The path is not valid percent-encoding.' });
    const relative = urlPath === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    let file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root + sep)) return send(res, 404, { error: 'not found' });
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      // Client-side routes fall back to the app; missing assets are 404.
      if (extname(relative) !== '') return send(res, 404, { error: 'not found' });
      file = join(root, 'index.html');
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return send(res, 503, {
        error: `The renderer is not built (${join(root, 'index.html')} is missing). Run "npm run build:renderer".`,
      });
    }
    res.writeHead(200, {
      'content-type': rendererContentType(file) ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    res.end(body);
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const refusal = refuseForeign(req);
      if (refusal) return send(res, 403, { error: refusal });
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname.startsWith('/rpc/')) {
        if (req.method !== 'POST') return send(res, 405, { error: 'Use POST.' }, { allow: 'POST' });
        const auth = req.headers.authorization ?? '';
        const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
        if (!sameToken(given, token)) return send(res, 401, { error: 'Missing or wrong token.' }, { 'www-authenticate': 'Bearer' });
        let input: unknown;
        try {
          const text = await readBody(req);
          input = text === '' ? {} : JSON.parse(text);
        } catch (error) {
          if (error instanceof BodyTooLarge)
            return send(res, 413, { ok: false, error: { code: 'INVALID_INPUT', message: TOO_LARGE_MESSAGE } }, { connection: 'close' });
          return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' } });
        }
        const controller = new AbortController();
        res.on('close', () => {
          if (!res.writableFinished) controller.abort();
        });
        const channel = safeDecode(url.pathname.slice('/rpc/'.length));
        if (channel === null) return send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'The channel name is not valid percent-encoding.' } });
        const result = await core.dispatcher.dispatch(channel, input, { transport: 'http', signal: controller.signal });
        return send(res, 200, result);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'Method not allowed.' });
      return await serveStatic(res, url.pathname);
    } catch {
      if (!res.headersSent) send(res, 500, { error: 'Internal error.' });
    }
  });

  // Malformed HTTP (bad request line, headers over the limit, a reset mid-request) is answered or
  // dropped for that one connection; nothing a client sends may end the process.
  server.on('clientError', (_error, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  // Errors of the server itself (not of one client) are logged by name; the host keeps serving.
  wss.on('error', (error) => core.log.warn('the event socket server failed', { error: error.name }));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refusal = refuseForeign(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (refusal || path !== '/events') {
      socket.end(`HTTP/1.1 ${refusal ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachEvents(ws));
  });

  const attachEvents = (ws: WebSocket) => {
    let unsubscribe: (() => void) | null = null;
    const authTimer = setTimeout(() => ws.close(4401, 'No token'), 5_000);
    // A malformed frame (reserved opcode, unmasked, bad UTF-8, over 64 KB) emits 'error' on this
    // client; ws then closes it with 1002/1007/1009. Without this listener it would end the process.
    ws.on('error', () => ws.terminate());
    ws.once('message', (data) => {
      clearTimeout(authTimer);
      let given = '';
      try {
        const msg = JSON.parse(String(data)) as { token?: unknown };
        given = typeof msg.token === 'string' ? msg.token : '';
      } catch {
        /* refused below */
      }
      if (!sameToken(given, token)) {
        ws.close(4401, 'Missing or wrong token');
        return;
      }
      ws.send(JSON.stringify({ event: 'backend.heartbeat', payload: { at: new Date().toISOString() } }));
      unsubscribe = core.events.subscribe((message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      });
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      unsubscribe?.();
    });
  };

  const heartbeat = setInterval(() => core.events.emit('backend.heartbeat', { at: new Date().toISOString() }), HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    port,
    token,
    readyLine: `TESSERA_READY ${url}#token=${token}`,
    async close() {
      clearInterval(heartbeat);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
