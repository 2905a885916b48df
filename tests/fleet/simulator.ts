// Fleet simulator: one HTTPS server on loopback serving N simulated clusters, each addressed
// by its own server URL path prefix (https://127.0.0.1:PORT/c/0001) and each a kubeconfig
// context of its own. Latency and faults are injected from a seeded PRNG per cluster.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, LIMITED_NAMESPACE, MAX_REQUEST_BYTES, statusBody } from './apiserver.ts';
import type { ClusterPolicy, SimRequest } from './apiserver.ts';
import type { JsonObject } from './fields.ts';

export type FaultKind = 'error500' | 'throttle429' | 'timeout' | 'reset' | 'forbidden403';
export const ALL_FAULTS: FaultKind[] = ['error500', 'throttle429', 'timeout', 'reset', 'forbidden403'];

export interface LatencyOptions {
  fixedMs: number;
  jitterMs: number;
}
export interface FaultOptions {
  /** probability in [0,1] that an eligible request fails */
  rate: number;
  kinds?: FaultKind[];
  seed: number;
  /** also inject into discovery (/api, /apis, /version, /openapi); default false */
  includeDiscovery?: boolean;
  /** Retry-After seconds sent with 429; default 1 */
  retryAfterSeconds?: number;
}
export interface FleetOptions {
  clusters: number;
  latency?: LatencyOptions;
  faults?: FaultOptions;
  /** context name prefix; default "sim-" */
  namePrefix?: string;
  /** directory for the kubeconfig and TLS material; default a fresh temp dir (removed on stop) */
  dir?: string;
  /** serve HTTPS with a self-signed CA (default true); false serves plain HTTP */
  tls?: boolean;
  /** seed for latency jitter when no fault seed is given; default 1 */
  seed?: number;
}

export interface FaultRecord {
  n: number;
  kind: FaultKind;
  method: string;
  path: string;
}

export interface ClusterStats {
  context: string;
  requests: number;
  bytesSent: number;
  bytesReceived: number;
  faults: Partial<Record<FaultKind, number>>;
}
export interface FleetStats {
  clusters: number;
  requests: number;
  bytesSent: number;
  bytesReceived: number;
  faults: Partial<Record<FaultKind, number>>;
  perCluster: ClusterStats[];
}

export interface ClusterState {
  resourceVersion: string;
  namespaces: JsonObject[];
  secrets: JsonObject[];
  deployments: JsonObject[];
}

export interface Fleet {
  kubeconfigPath: string;
  contexts: string[];
  /** the context name of cluster `index` (0-based); throws when out of range */
  context(index: number): string;
  /** base URL of the shared server, e.g. https://127.0.0.1:PORT */
  url: string;
  caFile: string | undefined;
  server(context: string): string;
  token(context: string): string;
  /** bearer tokens of the three simulated users (RBAC like tests/controlplane/harness.ts) */
  tokens(context: string): { admin: string; limited: string; viewer: string };
  limitedNamespace: string;
  stats(): FleetStats;
  resetStats(): void;
  setFaults(faults: FaultOptions | undefined): void;
  setLatency(latency: LatencyOptions | undefined): void;
  setPolicy(context: string, policy: ClusterPolicy): void;
  /** faults injected so far on one cluster, in order (last 10,000) */
  faultLog(context: string): FaultRecord[];
  /**
   * Takes a cluster off the network (a retail site losing its uplink) or brings it back. While
   * offline every connection to it is dropped before an answer, and it counts the requests that
   * tried to reach it (offlineHits); its state is kept for its return.
   */
  setOffline(context: string, offline: boolean): void;
  isOffline(context: string): boolean;
  /** Requests that arrived while the cluster was offline (dropped unanswered). */
  offlineHits(context: string): number;
  clusterState(context: string): ClusterState;
  stop(): Promise<void>;
}

// ---- deterministic randomness -------------------------------------------------------------

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0,1) that depends only on (seed, cluster, counter, stream). */
export function prng(seed: number, cluster: number, counter: number, stream: number): number {
  let h = fmix32((seed | 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(cluster + 1, 0x27d4eb2f));
  h = fmix32(h ^ Math.imul(counter + 1, 0x165667b1));
  h = fmix32(h ^ Math.imul(stream + 1, 0x61c88647));
  return h / 0x100000000;
}

/** The fault (or none) that request number n to cluster `index` gets under these options. */
export function faultFor(opts: FaultOptions, index: number, n: number): FaultKind | undefined {
  if (opts.rate <= 0) return undefined;
  if (prng(opts.seed, index, n, 0) >= opts.rate) return undefined;
  const kinds = opts.kinds && opts.kinds.length > 0 ? opts.kinds : ALL_FAULTS;
  return kinds[Math.floor(prng(opts.seed, index, n, 1) * kinds.length)];
}

// ---- TLS material ------------------------------------------------------------------------

function makeTls(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  if (!existsSync(cert)) {
    const run = (args: string[]): void => {
      execFileSync('openssl', args, { stdio: 'pipe' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run([
      'req',
      '-x509',
      '-new',
      ...ec,
      '-keyout',
      caKey,
      '-out',
      caFile,
      '-days',
      '3650',
      '-subj',
      '/CN=tessera-fleet-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    run(['req', '-new', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=tessera-fleet']);
    writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
    run(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '3650', '-extfile', ext]);
  }
  return { caFile, key: readFileSync(key), cert: readFileSync(cert) };
}

function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

function yamlStr(s: string): string {
  return JSON.stringify(s);
}

// ---- the fleet ---------------------------------------------------------------------------

interface Counters {
  requests: number;
  eligible: number;
  bytesSent: number;
  bytesReceived: number;
  faults: Partial<Record<FaultKind, number>>;
  log: FaultRecord[];
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  if (!Number.isInteger(opts.clusters) || opts.clusters < 1) throw new Error('clusters must be a positive integer');
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tessera-fleet-'));
  mkdirSync(dir, { recursive: true });
  const useTls = opts.tls ?? true;
  const prefix = opts.namePrefix ?? 'sim-';
  const width = Math.max(4, String(opts.clusters).length);
  let faults = opts.faults;
  let latency = opts.latency;
  const latencySeed = opts.faults?.seed ?? opts.seed ?? 1;

  const clusters: Cluster[] = [];
  const counters: Counters[] = [];
  const byContext = new Map<string, number>();
  const byPathId = new Map<string, number>();
  for (let i = 0; i < opts.clusters; i++) {
    const id = pad(i + 1, width);
    const ctx = `${prefix}${id}`;
    const token = `tessera-sim-${id}-${Math.random().toString(36).slice(2, 10)}`;
    clusters.push(new Cluster(i, ctx, token));
    counters.push({ requests: 0, eligible: 0, bytesSent: 0, bytesReceived: 0, faults: {}, log: [] });
    byContext.set(ctx, i);
    byPathId.set(id, i);
  }

  const sockets = new Set<Socket>();
  const hanging = new Set<http.ServerResponse>();
  let stopped = false;

  const send = (res: http.ServerResponse, idx: number, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    const buf = Buffer.from(text);
    const c = counters[idx];
    if (c) c.bytesSent += buf.length;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length), 'Cache-Control': 'no-cache, private', ...headers });
    res.end(buf);
  };

  const isDiscovery = (p: string): boolean =>
    p === '/version' || p === '/api' || p === '/apis' || /^\/(api\/v1|apis\/[^/]+(\/[^/]+)?|openapi\/.*)\/?$/.test(p) || p.startsWith('/openapi');

  const offline = new Set<number>();
  const offlineHitCount: number[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/c\/([0-9]+)(\/.*)?$/.exec(url.pathname);
    const idx = m?.[1] !== undefined ? byPathId.get(m[1]) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    // clients abort (timeouts, resets): never let that crash the fleet
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES + 1024) chunks.push(c);
    });
    if (idx !== undefined && offline.has(idx)) {
      offlineHitCount[idx] = (offlineHitCount[idx] ?? 0) + 1;
      req.socket.destroy();
      return;
    }
    req.on('end', () => {
      if (idx === undefined) {
        send(res, -1, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
        return;
      }
      const cnt = counters[idx] as Counters;
      cnt.requests += 1;
      cnt.bytesReceived += size;
      const cluster = clusters[idx] as Cluster;
      const path = m?.[2] ?? '/';
      const user = cluster.userFor(req.headers.authorization ?? '');
      if (user === undefined) {
        send(res, idx, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
      let fault: FaultKind | undefined;
      let n = -1;
      const f = faults;
      if (f && (f.includeDiscovery || !isDiscovery(path))) {
        n = cnt.eligible++;
        fault = faultFor(f, idx, n);
      }
      const lat = latency;
      let delay = 0;
      if (lat && (lat.fixedMs > 0 || lat.jitterMs > 0)) {
        const j = (prng(latencySeed, idx, cnt.requests, 2) * 2 - 1) * lat.jitterMs;
        delay = Math.max(0, lat.fixedMs + j);
      }
      if (size > MAX_REQUEST_BYTES) {
        send(res, idx, 413, statusBody(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_REQUEST_BYTES}`));
        return;
      }
      const body = Buffer.concat(chunks);
      const respond = (): void => {
        if (stopped) return;
        if (fault) {
          cnt.faults[fault] = (cnt.faults[fault] ?? 0) + 1;
          cnt.log.push({ n, kind: fault, method: req.method ?? 'GET', path });
          if (cnt.log.length > 10000) cnt.log.shift();
          switch (fault) {
            case 'error500':
              send(
                res,
                idx,
                500,
                statusBody(500, 'InternalError', 'Internal error occurred: injected fault (tessera fleet simulator)', {
                  causes: [{ message: 'injected fault' }],
                }),
              );
              return;
            case 'throttle429': {
              const ra = String(f?.retryAfterSeconds ?? 1);
              send(res, idx, 429, statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: Number(ra) }), {
                'Retry-After': ra,
              });
              return;
            }
            case 'forbidden403':
              send(
                res,
                idx,
                403,
                statusBody(403, 'Forbidden', `forbidden: User "tessera-sim" cannot ${req.method?.toLowerCase()} path "${path}" (injected fault)`, {}),
              );
              return;
            case 'timeout':
              hanging.add(res);
              res.on('close', () => hanging.delete(res));
              return;
            case 'reset': {
              const s = req.socket as Socket & { resetAndDestroy?: () => void };
              try {
                if (!useTls && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
                else s.destroy();
              } catch {
                s.destroy();
              }
              return;
            }
          }
        }
        const host = String(req.headers.host ?? '127.0.0.1');
        const simReq: SimRequest = { method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body, serverAddress: host, user };
        const out = cluster.handle(simReq);
        send(res, idx, out.status, out.body, out.headers);
      };
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  };

  let tlsInfo: { caFile: string; key: Buffer; cert: Buffer } | undefined;
  let server: http.Server;
  if (useTls) {
    tlsInfo = makeTls(dir);
    server = https.createServer({ key: tlsInfo.key, cert: tlsInfo.cert, keepAlive: true }, handler);
  } else {
    server = http.createServer({ keepAlive: true }, handler);
  }
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  server.maxHeadersCount = 200;
  server.on(useTls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s) => {
    s.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `${useTls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const serverOf = (i: number): string => `${base}/c/${pad(i + 1, width)}`;

  // kubeconfig: one cluster/user/context per simulated cluster; CA by file to keep it small
  const lines: string[] = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${yamlStr(clusters[0]?.name ?? '')}`, 'clusters:'];
  for (let i = 0; i < clusters.length; i++) {
    lines.push(`- name: ${yamlStr((clusters[i] as Cluster).name)}`, '  cluster:', `    server: ${yamlStr(serverOf(i))}`);
    if (tlsInfo) lines.push(`    certificate-authority: ${yamlStr(tlsInfo.caFile)}`);
  }
  lines.push('users:');
  for (const c of clusters) lines.push(`- name: ${yamlStr(c.name)}`, '  user:', `    token: ${yamlStr(c.token)}`);
  lines.push('contexts:');
  for (const c of clusters)
    lines.push(`- name: ${yamlStr(c.name)}`, '  context:', `    cluster: ${yamlStr(c.name)}`, `    user: ${yamlStr(c.name)}`, '    namespace: default');
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, lines.join('\n') + '\n', { mode: 0o600 });

  const clusterOf = (context: string): Cluster => clusters[lookup(context)] as Cluster;
  const countersOf = (context: string): Counters => counters[lookup(context)] as Counters;
  function lookup(context: string): number {
    const i = byContext.get(context);
    if (i === undefined) throw new Error(`unknown context ${context}`);
    return i;
  }

  return {
    kubeconfigPath,
    contexts: clusters.map((c) => c.name),
    context(index: number): string {
      const c = clusters[index];
      if (!c) throw new Error(`no cluster ${index} (fleet has ${clusters.length})`);
      return c.name;
    },
    url: base,
    caFile: tlsInfo?.caFile,
    server: (context) => serverOf(lookup(context)),
    token: (context) => clusterOf(context).token,
    tokens: (context) => ({ ...clusterOf(context).tokens }),
    limitedNamespace: LIMITED_NAMESPACE,
    stats(): FleetStats {
      const perCluster = clusters.map((c, i) => {
        const n = counters[i] as Counters;
        return { context: c.name, requests: n.requests, bytesSent: n.bytesSent, bytesReceived: n.bytesReceived, faults: { ...n.faults } };
      });
      const faultsTotal: Partial<Record<FaultKind, number>> = {};
      for (const c of perCluster) for (const [k, v] of Object.entries(c.faults)) faultsTotal[k as FaultKind] = (faultsTotal[k as FaultKind] ?? 0) + (v ?? 0);
      return {
        clusters: clusters.length,
        requests: perCluster.reduce((a, c) => a + c.requests, 0),
        bytesSent: perCluster.reduce((a, c) => a + c.bytesSent, 0),
        bytesReceived: perCluster.reduce((a, c) => a + c.bytesReceived, 0),
        faults: faultsTotal,
        perCluster,
      };
    },
    resetStats(): void {
      for (const c of counters) {
        c.requests = 0;
        c.bytesSent = 0;
        c.bytesReceived = 0;
        c.faults = {};
      }
    },
    setFaults(f): void {
      faults = f;
      for (const c of counters) {
        c.eligible = 0;
        c.log = [];
      }
    },
    setLatency(l): void {
      latency = l;
    },
    setPolicy(context, policy): void {
      clusterOf(context).policy = { ...policy };
    },
    faultLog: (context) => [...countersOf(context).log],
    setOffline(context, down): void {
      const idx = lookup(context);
      if (down) offline.add(idx);
      else offline.delete(idx);
    },
    isOffline: (context) => offline.has(lookup(context)),
    offlineHits: (context) => offlineHitCount[lookup(context)] ?? 0,
    clusterState: (context) => clusterOf(context).snapshot(),
    async stop(): Promise<void> {
      stopped = true;
      for (const r of hanging) r.destroy();
      hanging.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
