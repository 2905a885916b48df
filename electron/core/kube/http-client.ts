// A lean Kubernetes REST client over node:https: one keep-alive Agent per cluster, a global
// concurrency limit, a per-attempt timeout, retries with jittered exponential backoff on
// 429/5xx/network failures only (Retry-After honoured), a circuit breaker per cluster (fail fast
// while a cluster does not answer), and cancellation by AbortSignal.
// Chosen over client-node's generated API classes: 1,000+ clusters need one small agent
// each, metadata-only Accept headers, and byte-level control of bodies that carry values.
import { sanitizeApiMessage } from './api-message.ts';
import http from 'node:http';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { TesseraError, type ErrorCode } from '../../../shared/contract/index.ts';
import type { ClusterEndpoint } from './credentials.ts';
import { cancelled, sleep, type Limiter } from './limiter.ts';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** API path below the server URL, e.g. /api/v1/namespaces/a/secrets. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: Buffer;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal | undefined;
  /** Lower is served first when requests wait for a slot (see limiter.ts). */
  priority?: number | undefined;
}

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the observer sees of each attempt (tests count bytes and inspect bodies through it). */
export interface RequestEvent {
  cluster: string;
  method: string;
  path: string;
  accept: string;
  attempt: number;
  status: number | null;
  /** Network failure or timeout name when status is null. */
  failure: string | null;
  requestBytes: number;
  responseBytes: number;
  /** The response body; valid only during the callback (it may be zeroed right after). */
  body: Buffer | null;
}

export type RequestObserver = (event: RequestEvent) => void;

export interface ClientOptions {
  limiter: Limiter;
  timeoutMs: () => number;
  /** Attempts after the first on retryable failures. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Attempts after the first when the cluster does not answer at all (refused, reset, timeout) and
   * has not answered any request lately either; default 3. A cluster that answered a moment ago
   * gets maxRetries: a lost answer there is a transient fault, not an unreachable cluster.
   */
  networkRetries?: number;
  /** How recent an answer must be for a network failure to count as transient; default max(10 s, 3 × timeout). */
  answeredWindowMs?: number;
  /** How long a cluster that did not answer is not called again (circuit open); default 15 s. */
  circuitCooldownMs?: number;
  observer?: RequestObserver | undefined;
}

/**
 * A circuit breaker per cluster: after a request finds the cluster unreachable, every request
 * fails fast (UNREACHABLE, no network call) until `openUntil`; then one request probes it
 * (half-open) and an answer of any status closes the circuit again.
 */
export interface CircuitState {
  state: 'closed' | 'open' | 'half-open';
  /** When the next probe may go (ms since the epoch), while open. */
  openUntil: number | null;
  /** Why it opened, a sentence. */
  lastError: string | null;
}

export interface KubeClient {
  readonly cluster: string;
  request(req: KubeRequest): Promise<KubeResponse>;
  /** request() that throws a TesseraError on any non-2xx status. */
  requestOk(req: KubeRequest): Promise<KubeResponse>;
  /** The cluster's circuit breaker, for callers that schedule retries (the reconciler). */
  circuit(): CircuitState;
  close(): void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

class AttemptFailure extends Error {
  readonly kind: 'network' | 'timeout';
  constructor(kind: 'network' | 'timeout', message: string) {
    super(message);
    this.kind = kind;
  }
}

export function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Full-jitter exponential backoff. */
export function backoffMs(attempt: number, base: number, cap: number): number {
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

function statusMessage(body: Buffer): { message: string | null; reason: string | null } {
  try {
    const s = JSON.parse(body.toString('utf8')) as { kind?: string; message?: unknown; reason?: unknown };
    if (s.kind === 'Status') return { message: typeof s.message === 'string' ? s.message : null, reason: typeof s.reason === 'string' ? s.reason : null };
  } catch {
    // not JSON
  }
  return { message: null, reason: null };
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'CONFLICT',
  412: 'CONFLICT',
  415: 'INVALID_INPUT',
  422: 'INVALID_INPUT',
  429: 'UNAVAILABLE',
};

/**
 * The TesseraError for a non-2xx answer, with the API server's own sentence made safe to keep:
 * `echoes` are the request body and the values it carried, which the sentence must not repeat.
 */
export function httpError(cluster: string, req: Pick<KubeRequest, 'method' | 'path'>, res: KubeResponse, echoes: readonly Buffer[] = []): TesseraError {
  const { message, reason } = statusMessage(res.body);
  const code = CODE_BY_STATUS[res.status] ?? (res.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL');
  const said = message === null ? `HTTP ${res.status}` : sanitizeApiMessage(message, echoes);
  const lead =
    code === 'FORBIDDEN'
      ? `Cluster "${cluster}" refused ${req.method} ${req.path}`
      : code === 'UNAUTHORIZED'
        ? `Cluster "${cluster}" did not accept the credentials of its context`
        : `Cluster "${cluster}" answered ${res.status} to ${req.method} ${req.path}`;
  return new TesseraError(code, `${lead}: ${said}`, {
    details: { cluster, status: res.status, ...(reason ? { reason: sanitizeApiMessage(reason).slice(0, 64) } : {}) },
  });
}

export function createKubeClient(endpoint: ClusterEndpoint, options: ClientOptions): KubeClient {
  const cluster = endpoint.context;
  const isHttps = endpoint.server.protocol === 'https:';
  const basePath = endpoint.server.pathname.replace(/\/+$/, '');
  const maxRetries = options.maxRetries ?? 6;
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const networkRetries = Math.min(options.networkRetries ?? 3, maxRetries);
  const cooldown = () => options.circuitCooldownMs ?? 15_000;
  const breaker: CircuitState = { state: 'closed', openUntil: null, lastError: null };
  let probing = false;
  /** When the cluster last answered anything (any HTTP status), ms since the epoch. */
  let lastAnswerAt: number | null = null;
  const answeredWithin = (at: number) => lastAnswerAt !== null && at - lastAnswerAt <= (options.answeredWindowMs ?? Math.max(10_000, 3 * options.timeoutMs()));
  const open = (error: TesseraError) => {
    breaker.state = 'open';
    breaker.openUntil = Date.now() + cooldown();
    breaker.lastError = error.message;
  };
  const fastFail = () =>
    new TesseraError(
      'UNREACHABLE',
      `Cluster "${cluster}" did not answer a moment ago (${breaker.lastError ?? 'unreachable'}); Tessera calls it again after ${new Date(breaker.openUntil ?? Date.now()).toISOString()}.`,
      { details: { cluster, circuit: 'open', retryAt: new Date(breaker.openUntil ?? Date.now()).toISOString() } },
    );
  /** Whether this request may reach the network now; throws the fast failure when not. */
  const admit = (): boolean => {
    if (breaker.state === 'closed') return false;
    if (breaker.state === 'open' && Date.now() < (breaker.openUntil ?? 0)) throw fastFail();
    if (probing) throw fastFail();
    breaker.state = 'half-open';
    probing = true;
    return true;
  };
  let agent: http.Agent | null = null;
  let agentIdentity = '';

  const agentFor = (cert: string | undefined, key: string | undefined): http.Agent => {
    const identity = cert ? createHash('sha256').update(cert).digest('hex') : '';
    if (agent && identity === agentIdentity) return agent;
    agent?.destroy();
    agentIdentity = identity;
    const common = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 8, maxFreeSockets: 2, scheduling: 'lifo' as const };
    agent = isHttps
      ? new https.Agent({
          ...common,
          ...(endpoint.tls.ca ? { ca: endpoint.tls.ca } : {}),
          ...(cert ? { cert, key } : endpoint.tls.cert ? { cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
          rejectUnauthorized: endpoint.tls.rejectUnauthorized,
          ...(endpoint.tls.servername ? { servername: endpoint.tls.servername } : {}),
        })
      : new http.Agent(common);
    return agent;
  };

  const attempt = async (req: KubeRequest, n: number): Promise<KubeResponse> => {
    const creds = await endpoint.credentials(req.signal);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.set(k, v);
    const qs = query.toString();
    const path = `${basePath}${req.path}${qs ? `?${qs}` : ''}`;
    const accept = req.accept ?? 'application/json';
    const headers: Record<string, string | number> = { ...creds.headers, Accept: accept, 'User-Agent': 'tessera' };
    if (req.body) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = req.body.length;
    }
    const timeoutMs = options.timeoutMs();
    return new Promise<KubeResponse>((resolve, reject) => {
      let done = false;
      const finish = (error: Error | null, res?: KubeResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (error) {
          options.observer?.({
            cluster,
            method: req.method,
            path: req.path,
            accept,
            attempt: n,
            status: null,
            failure: error instanceof AttemptFailure ? error.kind : error.name,
            requestBytes: req.body?.length ?? 0,
            responseBytes: 0,
            body: null,
          });
          reject(error);
        } else resolve(res!);
      };
      const request = (isHttps ? https.request : http.request)(
        {
          protocol: endpoint.server.protocol,
          hostname: endpoint.server.hostname,
          port: endpoint.server.port || (isHttps ? 443 : 80),
          method: req.method,
          path,
          headers,
          agent: agentFor(creds.cert, creds.key),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => finish(new AttemptFailure('network', e.message)));
          res.on('aborted', () => finish(new AttemptFailure('network', 'response aborted')));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            for (const c of chunks) c.fill(0);
            lastAnswerAt = Date.now();
            if (done) return;
            options.observer?.({
              cluster,
              method: req.method,
              path: req.path,
              accept,
              attempt: n,
              status: res.statusCode ?? 0,
              failure: null,
              requestBytes: req.body?.length ?? 0,
              responseBytes: body.length,
              body,
            });
            finish(null, { status: res.statusCode ?? 0, headers: res.headers, body });
          });
        },
      );
      const timer = setTimeout(() => {
        // Timers run before I/O in an event-loop turn: when this process was busy, an answer that
        // arrived in time may still be waiting to be read. Read it first (setImmediate runs after I/O).
        setImmediate(() => {
          if (done) return;
          request.destroy();
          finish(new AttemptFailure('timeout', `no answer within ${timeoutMs} ms`));
        });
      }, timeoutMs);
      const onAbort = () => {
        request.destroy();
        finish(cancelled());
      };
      if (req.signal?.aborted) {
        onAbort();
        return;
      }
      req.signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (e: NodeJS.ErrnoException) => finish(new AttemptFailure('network', e.code ?? e.message)));
      if (req.body) request.end(req.body);
      else request.end();
    });
  };

  const client: KubeClient = {
    cluster,
    async request(req) {
      const probe = admit();
      try {
        const res = await send(req, probe);
        if (breaker.state !== 'closed') Object.assign(breaker, { state: 'closed', openUntil: null, lastError: null });
        return res;
      } catch (error) {
        // Only a cluster that answered nothing while this request tried is unreachable; a lost answer from one that answers is not.
        const silent = error instanceof TesseraError && (error.code === 'UNREACHABLE' || error.code === 'TIMEOUT') && error.details?.circuit !== 'open';
        if (silent && (probe || !answeredWithin(Date.now()) || error.details?.transient !== true)) open(error);
        else if (probe && breaker.state === 'half-open') breaker.state = 'open';
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
    async requestOk(req) {
      const res = await client.request(req);
      if (res.status < 200 || res.status > 299) {
        const error = httpError(cluster, req, res);
        res.body.fill(0);
        throw error;
      }
      return res;
    },
    circuit: () => ({ ...breaker }),
    close() {
      agent?.destroy();
      agent = null;
    },
  };

  /** One request with its retries. A probe of a half-open circuit gets one attempt. */
  const send = async (req: KubeRequest, probe: boolean): Promise<KubeResponse> => {
    let reauthenticated = false;
    const startedAt = Date.now();
    for (let n = 0; ; n++) {
      if (req.signal?.aborted) throw cancelled();
      let res: KubeResponse;
      try {
        res = await options.limiter.run(() => attempt(req, n), req.signal, req.priority ?? 0);
      } catch (error) {
        if (error instanceof TesseraError) throw error;
        if (!(error instanceof AttemptFailure)) throw error;
        // A cluster that does not answer at all gets few attempts, and none once another request opened its circuit.
        // One that answered a moment ago (before or while this request tried) lost an answer: a transient fault, retried like a 5xx.
        const transient = !probe && (answeredWithin(startedAt) || (lastAnswerAt ?? 0) >= startedAt);
        if (n >= (probe ? 0 : transient ? maxRetries : networkRetries) || breaker.state === 'open') {
          throw error.kind === 'timeout'
            ? new TesseraError('TIMEOUT', `Cluster "${cluster}" did not answer ${req.method} ${req.path} within the request timeout (${n + 1} attempts).`, {
                details: { cluster, transient },
              })
            : new TesseraError('UNREACHABLE', `Cluster "${cluster}" cannot be reached at ${endpoint.server.origin} (${error.message}, ${n + 1} attempts).`, {
                details: { cluster, transient },
              });
        }
        await sleep(backoffMs(n, baseDelay, maxDelay), req.signal);
        continue;
      }
      if (res.status === 401 && !reauthenticated && endpoint.auth !== 'token' && endpoint.auth !== 'client-certificate') {
        // An expired exec/OIDC/file token: fetch a fresh one once.
        reauthenticated = true;
        endpoint.invalidate();
        n--;
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && n < maxRetries) {
        const hinted = retryAfterMs(res.headers['retry-after']);
        const delay = hinted !== null ? Math.min(hinted, 60_000) + Math.random() * 100 : backoffMs(n, baseDelay, maxDelay);
        await sleep(delay, req.signal);
        continue;
      }
      return res;
    }
  };
  return client;
}

/** The same client, with every request queued at the given priority (runs over many clusters pass each cluster's index). */
export function withPriority(client: KubeClient, priority: number): KubeClient {
  return {
    cluster: client.cluster,
    request: (req) => client.request({ ...req, priority: req.priority ?? priority }),
    requestOk: (req) => client.requestOk({ ...req, priority: req.priority ?? priority }),
    circuit: () => client.circuit(),
    close: () => client.close(),
  };
}
