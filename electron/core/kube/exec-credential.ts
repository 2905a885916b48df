// Exec credential plugins (client.authentication.k8s.io ExecCredential), run asynchronously
// with a timeout. A failing plugin's own stderr is shown in the error, so the operator sees
// "run `aws sso login`" rather than a bare exit code. Credentials are cached until they expire.
import { spawn } from 'node:child_process';
import { dirname, isAbsolute, join } from 'node:path';
import { TesseraError } from '../../../shared/contract/index.ts';
import { scrubbedEnv } from '../child-env.ts';

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
}

export interface ExecCredential {
  token: string | null;
  clientCertificateData: string | null;
  clientKeyData: string | null;
  /** ms since epoch, or null when the credential does not expire. */
  expiresAt: number | null;
}

const STDERR_LIMIT = 4096;
const STDOUT_LIMIT = 1024 * 1024;

export function parseExecConfig(raw: unknown): ExecConfig | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.command !== 'string' || r.command === '') return null;
  const config: ExecConfig = { command: r.command };
  if (Array.isArray(r.args)) config.args = r.args.filter((a): a is string => typeof a === 'string');
  if (Array.isArray(r.env)) {
    config.env = r.env
      .filter((e): e is { name: string; value: string } => typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string')
      .map((e) => ({ name: e.name, value: String(e.value ?? '') }));
  }
  if (typeof r.apiVersion === 'string') config.apiVersion = r.apiVersion;
  if (typeof r.installHint === 'string') config.installHint = r.installHint;
  if (r.provideClusterInfo === true) config.provideClusterInfo = true;
  return config;
}

/** Runs the plugin once. `file` is the kubeconfig that defined it (relative commands resolve against its folder, as kubectl does). */
export function runExecPlugin(
  context: string,
  config: ExecConfig,
  options: {
    file: string | null;
    timeoutMs: number;
    cluster?: { server: string; 'certificate-authority-data'?: string } | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<ExecCredential> {
  const command = !isAbsolute(config.command) && config.command.includes('/') && options.file ? join(dirname(options.file), config.command) : config.command;
  const apiVersion = config.apiVersion ?? 'client.authentication.k8s.io/v1';
  const execInfo = {
    apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(config.provideClusterInfo && options.cluster ? { cluster: options.cluster } : {}) },
  };
  // The plugin gets the user's environment minus anything of Tessera's (a PIN variable above all).
  const env: NodeJS.ProcessEnv = { ...scrubbedEnv(), KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) };
  for (const e of config.env ?? []) env[e.name] = e.value;
  const what = `The credential plugin "${config.command}" of context "${context}"`;

  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(command, config.args ?? [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const finish = (error: TesseraError | null, value?: ExecCredential) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value!);
    };
    const stderrTail = () => {
      const text = stderr.trim();
      return text === '' ? '' : `: ${text.slice(-STDERR_LIMIT)}`;
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(
        new TesseraError('TIMEOUT', `${what} did not answer within ${Math.round(options.timeoutMs / 1000)} s${stderrTail()}`, {
          details: { cluster: context },
        }),
      );
    }, options.timeoutMs);
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(new TesseraError('CANCELLED', `${what} was cancelled.`));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_LIMIT * 2);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint = config.installHint ? ` ${config.installHint.trim()}` : '';
      const why = error.code === 'ENOENT' ? 'cannot be found' : `cannot be started (${error.code ?? error.name})`;
      finish(new TesseraError('UNAUTHORIZED', `${what} ${why}.${hint}`, { details: { cluster: context } }));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        finish(
          new TesseraError('UNAUTHORIZED', `${what} failed (${signal ? `signal ${signal}` : `exit ${code}`})${stderrTail()}`, {
            details: { cluster: context },
          }),
        );
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        finish(
          new TesseraError('UNAUTHORIZED', `${what} printed something that is not an ExecCredential (JSON expected)${stderrTail()}`, {
            details: { cluster: context },
          }),
        );
        return;
      }
      const status = (parsed as { status?: Record<string, unknown> } | null)?.status ?? {};
      const token = typeof status.token === 'string' && status.token !== '' ? status.token : null;
      const cert = typeof status.clientCertificateData === 'string' ? status.clientCertificateData : null;
      const key = typeof status.clientKeyData === 'string' ? status.clientKeyData : null;
      if (!token && !(cert && key)) {
        finish(new TesseraError('UNAUTHORIZED', `${what} returned neither a token nor a client certificate and key.`, { details: { cluster: context } }));
        return;
      }
      const exp = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN;
      finish(null, { token, clientCertificateData: cert, clientKeyData: key, expiresAt: Number.isNaN(exp) ? null : exp });
    });
  });
}
