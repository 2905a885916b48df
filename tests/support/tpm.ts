// A TPM 2.0 token made per test run: Debian's swtpm emulator (its state in a temp dir), a private
// session D-Bus, tpm2-abrmd on it, and a tpm2-pkcs11 store with tokens made by tpm2_ptool. The
// module reads TPM2_PKCS11_STORE / TPM2_PKCS11_TCTI / DBUS_SESSION_BUS_ADDRESS with getenv when it
// is C_Initialized, so they are set in this process's real environment: call createTpm first.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TPM2_PKCS11_MODULE =
  [
    '/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so',
    '/usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so',
    '/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1',
  ].find((p) => existsSync(p)) ?? '/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so';

export interface TpmTokenSpec {
  label: string;
  pin: string;
  soPin: string;
}

export interface Tpm {
  dir: string;
  module: string;
  tokens: TpmTokenSpec[];
  cleanup(): Promise<void>;
}

/** Why TPM tests cannot run here, or null when they can. */
export function tpmSkipReason(): string | null {
  if (!existsSync(TPM2_PKCS11_MODULE)) return `tpm2-pkcs11 module not found at ${TPM2_PKCS11_MODULE} (package libtpm2-pkcs11-1)`;
  for (const bin of ['swtpm', 'tpm2-abrmd', 'tpm2_ptool', 'dbus-daemon']) {
    const found = spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`], { stdio: 'ignore' }).status === 0;
    if (!found) return `${bin} is not installed (packages swtpm, tpm2-abrmd, libtpm2-pkcs11-tools, dbus)`;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing its address`)));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Waits until something accepts connections on the port (the TPM emulator is up). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`swtpm did not listen on port ${port}.`);
}

const stop = (child: ChildProcess | null) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

export async function createTpm(specs: TpmTokenSpec[]): Promise<Tpm> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tpm-'));
  const state = join(dir, 'state');
  const store = join(dir, 'store');
  mkdirSync(state, { mode: 0o700 });
  mkdirSync(store, { mode: 0o700 });
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    for (const c of children.reverse()) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The swtpm TCTI talks to the control channel on the next port up.
    let port = await freePort();
    while (port >= 65535 || !(await portFree(port + 1))) port = await freePort();
    const ctrl = port + 1;
    const swtpm = spawn(
      'swtpm',
      [
        'socket',
        '--tpm2',
        '--tpmstate',
        `dir=${state}`,
        '--server',
        `type=tcp,port=${port},bindaddr=127.0.0.1`,
        '--ctrl',
        `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
        '--flags',
        'not-need-init,startup-clear',
      ],
      { stdio: 'ignore' },
    );
    children.push(swtpm);
    await listening(port);
    const dbus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(dbus);
    const busAddress = await firstLine(dbus);
    const busName = `com.intel.tss2.Tabrmd.tessera${process.pid}`;
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress, TSS2_LOG: 'all+NONE' };
    const abrmdArgs = ['--session', `--tcti=swtpm:host=127.0.0.1,port=${port}`, `--dbus-name=${busName}`, '--flush-all'];
    if (process.getuid?.() === 0) abrmdArgs.push('--allow-root');
    const abrmdBin = existsSync('/usr/sbin/tpm2-abrmd') ? '/usr/sbin/tpm2-abrmd' : 'tpm2-abrmd';
    const abrmd = spawn(abrmdBin, abrmdArgs, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let abrmdErrors = '';
    abrmd.stderr!.on('data', (chunk: Buffer) => void (abrmdErrors += chunk.toString('utf8')));
    children.push(abrmd);
    const tcti = `tabrmd:bus_type=session,bus_name=${busName}`;
    const toolEnv = { ...env, TPM2TOOLS_TCTI: tcti, TPM2_PKCS11_TCTI: tcti, TPM2_PKCS11_STORE: store };
    // tpm2-abrmd needs a moment to claim its name on the bus and reach the TPM: retry the first step.
    let lastError: unknown = null;
    for (let i = 0; i < 50; i++) {
      if (abrmd.exitCode !== null) throw new Error(`tpm2-abrmd exited: ${abrmdErrors.slice(0, 500)}`);
      try {
        await run('tpm2_ptool', ['init', `--path=${store}`], { env: toolEnv });
        lastError = null;
        break;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (lastError) throw new Error('tpm2_ptool init failed: the TPM emulator or tpm2-abrmd did not come up.');
    for (const spec of specs) {
      await run('tpm2_ptool', ['addtoken', '--pid=1', `--sopin=${spec.soPin}`, `--userpin=${spec.pin}`, `--label=${spec.label}`, `--path=${store}`], {
        env: toolEnv,
      });
    }
    Object.assign(process.env, {
      DBUS_SESSION_BUS_ADDRESS: busAddress,
      TPM2_PKCS11_STORE: store,
      TPM2_PKCS11_TCTI: tcti,
      TPM2_PKCS11_LOG_LEVEL: '0',
      TSS2_LOG: 'all+NONE',
    });
    return { dir, module: TPM2_PKCS11_MODULE, tokens: specs, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
