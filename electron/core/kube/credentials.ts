// Turns a merged kubeconfig context into what a request needs: the server URL, TLS material
// and an Authorization header. Static kinds (token, token file, client certificate, basic)
// are read here; exec plugins run asynchronously with a timeout; auth providers (OIDC and the
// legacy cloud providers) are delegated to @kubernetes/client-node, which refreshes tokens.
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { TesseraError, type KubeAuthKind } from '../../../shared/contract/index.ts';
import { parseExecConfig, runExecPlugin, type ExecCredential } from './exec-credential.ts';
import type { ResolvedContext } from './kubeconfig-files.ts';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface RequestCredentials {
  headers: Record<string, string>;
  /** Client certificate from an exec plugin (PEM), which changes the TLS identity. */
  cert?: string;
  key?: string;
}

export interface ClusterEndpoint {
  context: string;
  server: URL;
  tls: TlsMaterial;
  auth: KubeAuthKind;
  /** Headers (and exec client certs) for the next request; cached while valid. */
  credentials(signal?: AbortSignal): Promise<RequestCredentials>;
  /** Forget cached credentials (after a 401), so the next request fetches fresh ones. */
  invalidate(): void;
}

export interface EndpointOptions {
  execTimeoutMs: number;
}

const fileCache = new Map<string, { at: number; data: Buffer }>();

/** Reads a small credential file; cached briefly so 1,000 clusters sharing a CA read it once. */
function readCached(path: string, ttlMs = 10_000): Buffer {
  const hit = fileCache.get(path);
  if (hit && Date.now() - hit.at < ttlMs) return hit.data;
  const data = readFileSync(path);
  fileCache.set(path, { at: Date.now(), data });
  return data;
}

function str(record: Record<string, unknown>, key: string): string | undefined {
  const v = record[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function resolvePath(file: string | null, path: string): string {
  return isAbsolute(path) || !file ? path : join(dirname(file), path);
}

function authKindOf(user: Record<string, unknown>): KubeAuthKind {
  if (user.exec) return 'exec';
  if (user['auth-provider']) return 'auth-provider';
  if (str(user, 'client-certificate') || str(user, 'client-certificate-data')) return 'client-certificate';
  if (str(user, 'token')) return 'token';
  if (str(user, 'tokenFile')) return 'token-file';
  if (str(user, 'username')) return 'basic';
  return 'none';
}

export function describeAuth(resolved: ResolvedContext): KubeAuthKind {
  return authKindOf(resolved.user ?? {});
}

/** Builds the endpoint or throws a TesseraError naming the context and what is wrong. */
export function createEndpoint(resolved: ResolvedContext, options: EndpointOptions): ClusterEndpoint {
  const name = resolved.context.name;
  const bad = (why: string) => new TesseraError('INVALID_INPUT', `Context "${name}": ${why}`, { details: { cluster: name } });
  if (!resolved.cluster) throw bad(`its cluster "${resolved.context.cluster}" is not defined in any kubeconfig file.`);
  if (!resolved.user && resolved.context.user !== '') throw bad(`its user "${resolved.context.user}" is not defined in any kubeconfig file.`);
  const cluster = resolved.cluster;
  const user = resolved.user ?? {};
  const serverText = str(cluster, 'server');
  if (!serverText) throw bad('its cluster has no server URL.');
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw bad(`its server "${serverText}" is not a URL.`);
  }

  const tls: TlsMaterial = { rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true };
  const load = (what: string, data: string | undefined, file: string | undefined, base: string | null): Buffer | undefined => {
    if (data) return Buffer.from(data, 'base64');
    if (file) {
      try {
        return readCached(resolvePath(base, file));
      } catch (error) {
        throw bad(`its ${what} file ${resolvePath(base, file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
    }
    return undefined;
  };
  const ca = load('certificate authority', str(cluster, 'certificate-authority-data'), str(cluster, 'certificate-authority'), resolved.clusterFile);
  if (ca) tls.ca = ca;
  const servername = str(cluster, 'tls-server-name');
  if (servername) tls.servername = servername;
  const cert = load('client certificate', str(user, 'client-certificate-data'), str(user, 'client-certificate'), resolved.userFile);
  const key = load('client key', str(user, 'client-key-data'), str(user, 'client-key'), resolved.userFile);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;

  const auth = authKindOf(user);
  const baseHeaders: Record<string, string> = {};
  const impersonate = str(user, 'as');
  if (impersonate) baseHeaders['Impersonate-User'] = impersonate;

  let cached: { value: RequestCredentials; expiresAt: number | null } | null = null;
  let inflight: Promise<RequestCredentials> | null = null;
  const fresh = () => cached !== null && (cached.expiresAt === null || cached.expiresAt - 10_000 > Date.now());

  const compute = async (signal?: AbortSignal): Promise<{ value: RequestCredentials; expiresAt: number | null }> => {
    switch (auth) {
      case 'token':
        return { value: { headers: { ...baseHeaders, Authorization: `Bearer ${str(user, 'token')}` } }, expiresAt: null };
      case 'token-file': {
        const path = resolvePath(resolved.userFile, str(user, 'tokenFile')!);
        let token: string;
        try {
          token = readFileSync(path, 'utf8').trim();
        } catch (error) {
          throw new TesseraError(
            'UNAUTHORIZED',
            `Context "${name}": its token file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
            { details: { cluster: name } },
          );
        }
        // Token files rotate (projected service-account tokens): re-read every minute.
        return { value: { headers: { ...baseHeaders, Authorization: `Bearer ${token}` } }, expiresAt: Date.now() + 70_000 };
      }
      case 'basic': {
        const basic = Buffer.from(`${str(user, 'username')}:${str(user, 'password') ?? ''}`).toString('base64');
        return { value: { headers: { ...baseHeaders, Authorization: `Basic ${basic}` } }, expiresAt: null };
      }
      case 'exec': {
        const config = parseExecConfig(user.exec);
        if (!config) throw bad('its exec credential plugin has no command.');
        const caData = ca ? ca.toString('base64') : undefined;
        const credential: ExecCredential = await runExecPlugin(name, config, {
          file: resolved.userFile,
          timeoutMs: options.execTimeoutMs,
          cluster: { server: serverText, ...(caData ? { 'certificate-authority-data': caData } : {}) },
          signal,
        });
        const value: RequestCredentials = { headers: { ...baseHeaders } };
        if (credential.token) value.headers.Authorization = `Bearer ${credential.token}`;
        if (credential.clientCertificateData && credential.clientKeyData) {
          value.cert = credential.clientCertificateData;
          value.key = credential.clientKeyData;
        }
        return { value, expiresAt: credential.expiresAt };
      }
      case 'auth-provider': {
        const kc = new KubeConfig();
        kc.loadFromString(
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: 'c', cluster: { server: serverText } }],
            users: [{ name: 'u', user }],
            contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
            'current-context': 'x',
          }),
        );
        const opts: RequestOptions = {};
        try {
          await kc.applyToHTTPSOptions(opts);
        } catch (error) {
          const why = error instanceof Error ? error.message.split('\n')[0] : 'failed';
          throw new TesseraError('UNAUTHORIZED', `Context "${name}": its auth provider could not produce a token: ${why}`, { details: { cluster: name } });
        }
        const headers = (opts.headers ?? {}) as Record<string, unknown>;
        const authorization = headers.Authorization ?? headers.authorization;
        const value: RequestCredentials = { headers: { ...baseHeaders } };
        if (typeof authorization === 'string') value.headers.Authorization = authorization;
        // The provider caches and refreshes its own token; ask it again after a minute.
        return { value, expiresAt: Date.now() + 60_000 };
      }
      default:
        return { value: { headers: { ...baseHeaders } }, expiresAt: null };
    }
  };

  return {
    context: name,
    server,
    tls,
    auth,
    async credentials(signal) {
      if (fresh()) return cached!.value;
      inflight ??= compute(signal)
        .then((c) => {
          cached = c;
          return c.value;
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },
    invalidate() {
      if (auth === 'exec' || auth === 'auth-provider' || auth === 'token-file') cached = null;
    },
  };
}
