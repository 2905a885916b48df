// A small target-agnostic Kubernetes REST client for the contract suite: bearer token, CA,
// keep-alive; returns status + parsed JSON so tests can compare structural facts.
import http from 'node:http';
import https from 'node:https';

export interface KubeResponse<T = any> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
  raw: string;
}

export interface RequestOptions {
  body?: unknown;
  /** raw body (string) — sent as is */
  rawBody?: string;
  contentType?: string;
  accept?: string;
  query?: Record<string, string | undefined>;
}

export class KubeClient {
  readonly server: string;
  private readonly token: string;
  private readonly agent: http.Agent;
  private readonly base: URL;

  /** timeout per request in ms (default 30 s) */
  timeoutMs = 30_000;
  private readonly ownAgent: boolean;

  /** `agent` may be shared between clients (e.g. thousands of simulated clusters on one port). */
  constructor(server: string, token: string, ca?: string | Buffer, agent?: http.Agent) {
    this.server = server;
    this.token = token;
    this.base = new URL(server);
    this.ownAgent = agent === undefined;
    this.agent =
      agent ??
      (this.base.protocol === 'https:' ? new https.Agent({ ca, keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 }));
  }

  request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse<T>> {
    const url = new URL(this.base.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: opts.accept ?? 'application/json',
      'User-Agent': 'tessera-contract/0.1',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: any = raw;
          try {
            body = raw ? JSON.parse(raw) : undefined;
          } catch {
            // leave as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, raw });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get<T = any>(path: string, opts?: RequestOptions): Promise<KubeResponse<T>> {
    return this.request<T>('GET', path, opts);
  }
  post<T = any>(path: string, body: unknown, query?: Record<string, string | undefined>): Promise<KubeResponse<T>> {
    return this.request<T>('POST', path, { body, query });
  }
  put<T = any>(path: string, body: unknown, query?: Record<string, string | undefined>): Promise<KubeResponse<T>> {
    return this.request<T>('PUT', path, { body, query });
  }
  /** server-side apply (application/apply-patch+yaml; JSON is valid YAML) */
  apply<T = any>(path: string, body: unknown, fieldManager: string, force = false): Promise<KubeResponse<T>> {
    return this.request<T>('PATCH', path, {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, ...(force ? { force: 'true' } : {}) },
    });
  }
  patch<T = any>(path: string, body: unknown, type: 'merge' | 'strategic' | 'json', fieldManager?: string): Promise<KubeResponse<T>> {
    const ct =
      type === 'merge' ? 'application/merge-patch+json' : type === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/json-patch+json';
    return this.request<T>('PATCH', path, { body, contentType: ct, query: { fieldManager } });
  }
  delete<T = any>(path: string, body?: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('DELETE', path, { body });
  }
  close(): void {
    if (this.ownAgent) this.agent.destroy();
  }
}
