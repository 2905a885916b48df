// A real Kubernetes control plane for tests, envtest style: per cluster one etcd and one
// kube-apiserver on 127.0.0.1, TLS with a per-cluster self-signed CA, RBAC, static-token users.
// No controller-manager, no scheduler, no kubelet: objects are stored and served, nothing runs.
//
// Binaries come from `bash tests/controlplane/build.sh` (cache dir) or $KUBEBUILDER_ASSETS.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  closeSync,
  accessSync,
  constants as fsConstants,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneAssets {
  apiserver: string;
  etcd: string;
  version: string;
}

export interface RealCluster {
  name: string;
  server: string;
  caFile: string;
  contexts: { admin: string; limited: string; viewer: string };
  tokens: { admin: string; limited: string; viewer: string };
  limitedNamespace: string;
}

export interface ControlPlane {
  kubeconfigPath: string;
  clusters: RealCluster[];
  startupMs: number;
  stop(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const LIMITED_NAMESPACE = 'team-a';
const READY_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Finding the binaries

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function hasOnPath(cmd: string): boolean {
  return spawnSync(cmd, ['version'], { stdio: 'ignore' }).error === undefined;
}

/** The Kubernetes version pinned in tests/controlplane/go.mod, e.g. "v1.35.4". */
export function pinnedKubernetesVersion(): string {
  const gomod = readFileSync(join(HERE, 'go.mod'), 'utf8');
  const m = /^(?:require)?\s*k8s\.io\/kubernetes (v\d[^\s]*)/m.exec(gomod);
  if (!m?.[1]) throw new Error(`cannot find the k8s.io/kubernetes version in ${join(HERE, 'go.mod')}`);
  return m[1];
}

export function controlPlaneCacheDir(): string {
  const base = process.env.TESSERA_CACHE_DIR || join(homedir(), '.cache', 'tessera');
  return join(base, 'controlplane', pinnedKubernetesVersion());
}

function apiserverVersion(apiserver: string): string {
  const r = spawnSync(apiserver, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const m = /v\d+\.\d+\.\d+\S*/.exec(`${r.stdout ?? ''}`);
  return m?.[0] ?? 'unknown';
}

export function findControlPlaneAssets(): { assets: ControlPlaneAssets } | { skipReason: string } {
  if (!hasOnPath('openssl')) {
    return { skipReason: 'the openssl CLI is not on PATH (needed to make the test CA and serving certificates)' };
  }
  const kb = process.env.KUBEBUILDER_ASSETS;
  if (kb) {
    const apiserver = join(kb, 'kube-apiserver');
    const etcd = join(kb, 'etcd');
    if (isExecutable(apiserver) && isExecutable(etcd)) {
      return { assets: { apiserver, etcd, version: apiserverVersion(apiserver) } };
    }
  }
  let dir: string;
  try {
    dir = controlPlaneCacheDir();
  } catch (e) {
    return { skipReason: `cannot locate the control-plane cache: ${(e as Error).message}` };
  }
  const apiserver = join(dir, 'kube-apiserver');
  const etcd = join(dir, 'etcd');
  if (isExecutable(apiserver) && isExecutable(etcd)) {
    return { assets: { apiserver, etcd, version: pinnedKubernetesVersion() } };
  }
  const where = kb ? `KUBEBUILDER_ASSETS=${kb} or ${dir}` : dir;
  return {
    skipReason:
      `no kube-apiserver + etcd found in ${where}; ` +
      'run `bash tests/controlplane/build.sh` (needs Go; builds from the module proxy) or set KUBEBUILDER_ASSETS',
  };
}

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: everything we start is in its own process group and is killed on exit.

interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  done: boolean;
}

const live = new Set<Managed>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const m of live) killGroup(m.child.pid, 'SIGKILL');
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const m of live) killGroup(m.child.pid, 'SIGKILL');
      for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
      process.kill(process.pid, sig); // default action now that our handler is gone
    });
  }
}

function startProcess(name: string, cmd: string, args: string[], logFile: string, cleanupDir: string): Managed {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const m: Managed = { name, child, logFile, done: false, exited: Promise.resolve(null) };
  m.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      m.done = true;
      live.delete(m);
      resolve(code ?? (signal ? -1 : null));
    });
    child.once('error', () => {
      m.done = true;
      live.delete(m);
      resolve(-1);
    });
  });
  live.add(m);
  // Watchdog: if this Node process dies without running its exit hooks (SIGKILL, crash),
  // kill the group and remove the dir. Exits by itself once the group is gone.
  if (child.pid) {
    const dog = spawn(
      '/bin/sh',
      [
        '-c',
        'while kill -0 "$1" 2>/dev/null && kill -0 -"$2" 2>/dev/null; do sleep 1; done; ' +
          'if ! kill -0 "$1" 2>/dev/null; then kill -KILL -"$2" 2>/dev/null; rm -rf "$3"; fi',
        'watchdog',
        String(process.pid),
        String(child.pid),
        cleanupDir,
      ],
      { detached: true, stdio: 'ignore' },
    );
    dog.unref();
  }
  return m;
}

async function stopProcess(m: Managed, graceMs = 5_000): Promise<void> {
  if (m.done) return;
  killGroup(m.child.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([m.exited, timer])) === 'timeout') {
    killGroup(m.child.pid, 'SIGKILL');
    await m.exited;
  }
  killGroup(m.child.pid, 'SIGKILL'); // stragglers in the group, if any
}

function logTail(m: Managed, lines = 30): string {
  try {
    return readFileSync(m.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const handedOut = new Set<number>();

/** A currently free loopback port, never the same one twice in this process. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await ephemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

/** Self-signed CA + a serving certificate for 127.0.0.1/localhost, both EC P-256 (fast). */
function makeCerts(dir: string, name: string): { caFile: string; certFile: string; keyFile: string } {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', `/CN=tessera-test-ca-${name}`, '-out', 'ca.crt'], dir);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'serving.key'], dir);
  openssl(['req', '-new', '-key', 'serving.key', '-subj', '/CN=kube-apiserver', '-out', 'serving.csr'], dir);
  writeFileSync(
    join(dir, 'serving.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'serving.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      'serving.ext',
      '-out',
      'serving.crt',
    ],
    dir,
  );
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'serving.crt'), keyFile: join(dir, 'serving.key') };
}

interface HttpResult {
  status: number;
  body: string;
}

function apiRequest(server: string, ca: string, token: string, method: string, path: string, body?: unknown): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      new URL(path, server),
      {
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function yamlStr(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
}

// ---------------------------------------------------------------------------------------------
// One cluster

interface ClusterRuntime {
  cluster: RealCluster;
  etcd: Managed;
  apiserver: Managed;
  ca: string;
}

async function waitEtcd(etcd: Managed, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    if (etcd.done) throw new Error(`${etcd.name} exited during startup; last log lines:\n${logTail(etcd)}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = await r.text();
      if (r.ok && body.includes('"true"')) return;
      last = `${r.status} ${body}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`${etcd.name} not healthy after 30 s (last: ${last}); log:\n${logTail(etcd)}`);
}

async function waitReady(rt: { apiserver: Managed; etcd: Managed }, server: string, ca: string, token: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    for (const m of [rt.etcd, rt.apiserver]) {
      if (m.done) throw new Error(`${m.name} exited during startup; last log lines:\n${logTail(m)}`);
    }
    try {
      const r = await apiRequest(server, ca, token, 'GET', '/readyz');
      if (r.status === 200) return;
      last = `${r.status} ${r.body.slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${rt.apiserver.name} not ready after ${READY_TIMEOUT_MS} ms (last: ${last}); log:\n${logTail(rt.apiserver)}`);
}

async function must(p: Promise<HttpResult>, what: string, okAlso: number[] = []): Promise<void> {
  const r = await p;
  if ((r.status < 200 || r.status >= 300) && !okAlso.includes(r.status)) {
    throw new Error(`${what}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  }
}

async function seedRbac(c: RealCluster, ca: string): Promise<void> {
  const req = (method: string, path: string, body?: unknown) => apiRequest(c.server, ca, c.tokens.admin, method, path, body);
  const ns = c.limitedNamespace;
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  await must(req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), `create namespace ${ns}`, [409]);
  await must(
    req('POST', `${rbac}/namespaces/${ns}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tessera-limited', namespace: ns },
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['*'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] },
      ],
    }),
    'create role tessera-limited',
    [409],
  );
  await must(
    req('POST', `${rbac}/namespaces/${ns}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tessera-limited', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tessera-limited' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'limited' }],
    }),
    'create rolebinding tessera-limited',
    [409],
  );
  await must(
    req('POST', `${rbac}/clusterroles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'tessera-viewer' },
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
      ],
    }),
    'create clusterrole tessera-viewer',
    [409],
  );
  await must(
    req('POST', `${rbac}/clusterrolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'tessera-viewer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tessera-viewer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
    }),
    'create clusterrolebinding tessera-viewer',
    [409],
  );
  // The RBAC authorizer works from an informer cache: wait until the new rules are visible.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const a = await apiRequest(c.server, ca, c.tokens.limited, 'GET', `/api/v1/namespaces/${ns}/secrets`);
    const b = await apiRequest(c.server, ca, c.tokens.viewer, 'GET', '/api/v1/namespaces');
    if (a.status === 200 && b.status === 200) return;
    if (Date.now() > deadline) throw new Error(`RBAC for limited/viewer not effective on ${c.name}: ${a.status}/${b.status}`);
    await sleep(100);
  }
}

async function startCluster(name: string, root: string, assets: ControlPlaneAssets, procs: Managed[]): Promise<ClusterRuntime> {
  const dir = join(root, name);
  mkdirSync(join(dir, 'etcd-data'), { recursive: true, mode: 0o700 });
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];

  const certs = makeCerts(dir, name);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  writeFileSync(saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));

  const tokens = {
    admin: randomBytes(24).toString('hex'),
    limited: randomBytes(24).toString('hex'),
    viewer: randomBytes(24).toString('hex'),
  };
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(
    tokenFile,
    [
      `${tokens.admin},admin,uid-admin,"system:masters"`,
      `${tokens.limited},limited,uid-limited,"tessera:limited"`,
      `${tokens.viewer},viewer,uid-viewer,"tessera:viewer"`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  const etcd = startProcess(
    `etcd(${name})`,
    assets.etcd,
    [
      `--name=${name}`,
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--initial-cluster-state=new',
      '--listen-metrics-urls=',
      '--snapshot-count=10000',
      '--log-level=warn',
      '--logger=zap',
    ],
    join(dir, 'etcd.log'),
    root,
  );
  procs.push(etcd);

  await waitEtcd(etcd, etcdUrl);

  const server = `https://127.0.0.1:${securePort}`;
  const apiserver = startProcess(
    `kube-apiserver(${name})`,
    assets.apiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${securePort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${certs.certFile}`,
      `--tls-private-key-file=${certs.keyFile}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=true', // /readyz,/livez,/healthz,/version stay readable; everything else is RBAC'd
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // No controller-manager here: the ServiceAccount plugin would reject Pods (no "default" SA).
      '--disable-admission-plugins=ServiceAccount',
      // Keep a small box quiet: no endpoint reconciling, no APF bookkeeping, no profiling.
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=0',
    ],
    join(dir, 'kube-apiserver.log'),
    root,
  );
  procs.push(apiserver);

  const cluster: RealCluster = {
    name,
    server,
    caFile: certs.caFile,
    contexts: { admin: `${name}-admin`, limited: `${name}-limited`, viewer: `${name}-viewer` },
    tokens,
    limitedNamespace: LIMITED_NAMESPACE,
  };
  const ca = readFileSync(certs.caFile, 'utf8');
  return { cluster, etcd, apiserver, ca };
}

function kubeconfigYaml(clusters: RealCluster[]): string {
  const out: string[] = ['apiVersion: v1', 'kind: Config', 'preferences: {}', 'clusters:'];
  for (const c of clusters) {
    out.push(`- name: ${yamlStr(c.name)}`, '  cluster:', `    server: ${yamlStr(c.server)}`, `    certificate-authority: ${yamlStr(c.caFile)}`);
  }
  out.push('users:');
  for (const c of clusters) {
    for (const role of ['admin', 'limited', 'viewer'] as const) {
      out.push(`- name: ${yamlStr(`${c.name}-${role}`)}`, '  user:', `    token: ${yamlStr(c.tokens[role])}`);
    }
  }
  out.push('contexts:');
  for (const c of clusters) {
    for (const role of ['admin', 'limited', 'viewer'] as const) {
      out.push(`- name: ${yamlStr(c.contexts[role])}`, '  context:', `    cluster: ${yamlStr(c.name)}`, `    user: ${yamlStr(`${c.name}-${role}`)}`);
      if (role === 'limited') out.push(`    namespace: ${yamlStr(c.limitedNamespace)}`);
    }
  }
  out.push(`current-context: ${yamlStr(clusters[0]?.contexts.admin ?? '')}`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Public entry point

export async function startControlPlane(opts: { clusters: number; dir?: string }): Promise<ControlPlane> {
  const started = Date.now();
  const found = findControlPlaneAssets();
  if ('skipReason' in found) throw new Error(`real control plane unavailable: ${found.skipReason}`);
  // A free port can be taken by someone else between probing and binding: retry that case.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts, found.assets, started);
    } catch (e) {
      if (attempt >= 3 || !/address already in use/i.test(String((e as Error).message))) throw e;
    }
  }
}

async function startOnce(opts: { clusters: number; dir?: string }, assets: ControlPlaneAssets, started: number): Promise<ControlPlane> {
  const n = Math.max(1, Math.floor(opts.clusters));

  // etcd fsyncs every write; on tmpfs that costs nothing. Fall back to the OS temp dir.
  const base = opts.dir ?? (existsSync('/dev/shm') && isWritableDir('/dev/shm') ? '/dev/shm' : tmpdir());
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'tessera-cp-'));
  installExitHook();
  liveDirs.add(root);

  const runtimes: ClusterRuntime[] = [];
  const procs: Managed[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // apiservers first (they would otherwise log etcd errors while shutting down), then etcd.
    await Promise.all(procs.filter((m) => m.name.startsWith('kube-apiserver')).map((m) => stopProcess(m)));
    await Promise.all(procs.map((m) => stopProcess(m)));
    rmSync(root, { recursive: true, force: true });
    liveDirs.delete(root);
  };

  try {
    // Clusters start side by side; every process is recorded in `procs` as soon as it exists,
    // so a failure anywhere still stops everything.
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => startCluster(`real-${i + 1}`, root, assets, procs)));
    for (const r of results) {
      if (r.status === 'rejected') throw r.reason;
      runtimes.push(r.value);
    }
    await Promise.all(runtimes.map((rt) => waitReady(rt, rt.cluster.server, rt.ca, rt.cluster.tokens.admin)));
    await Promise.all(runtimes.map((rt) => seedRbac(rt.cluster, rt.ca)));
  } catch (e) {
    await stop();
    throw e;
  }

  const kubeconfigPath = join(root, 'kubeconfig');
  const clusters = runtimes.map((rt) => rt.cluster);
  writeFileSync(kubeconfigPath, kubeconfigYaml(clusters), { mode: 0o600 });
  return { kubeconfigPath, clusters, startupMs: Date.now() - started, stop };
}

function isWritableDir(p: string): boolean {
  try {
    accessSync(p, fsConstants.W_OK);
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
