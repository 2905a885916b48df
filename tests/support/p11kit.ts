// A remote token made per test run: a SoftHSM2 token served by `p11-kit server` on a unix socket
// in a temp dir, reached through p11-kit's client module, as a network HSM is reached. The server
// runs in its own process group (it forks one child per client connection), so cutting the
// connection stops both, and restoring starts a new server on the same socket.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SoftHsm } from './softhsm.ts';

export const P11KIT_CLIENT_MODULE =
  ['/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so', '/usr/lib/aarch64-linux-gnu/pkcs11/p11-kit-client.so', '/usr/lib64/pkcs11/p11-kit-client.so'].find(
    (p) => existsSync(p),
  ) ?? '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so';

export interface RemoteToken {
  socket: string;
  /** The client module to load (P11_KIT_SERVER_ADDRESS is set in this process's environment). */
  module: string;
  /** Stops the server and its connection children: the client's calls then fail. */
  cut(): Promise<void>;
  /** Starts the server again on the same socket. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

export function p11KitSkipReason(): string | null {
  if (!existsSync(P11KIT_CLIENT_MODULE)) return `p11-kit client module not found at ${P11KIT_CLIENT_MODULE} (package p11-kit-modules)`;
  if (spawnSync('p11-kit', ['help'], { stdio: 'ignore' }).error) return 'p11-kit is not installed';
  return null;
}

/** Serves one SoftHSM2 token (by label) of `hsm` over p11-kit; call before the client module is loaded. */
export async function serveRemoteToken(hsm: SoftHsm, label: string): Promise<RemoteToken> {
  const socket = join(hsm.dir, 'p11-kit.sock');
  let server: ChildProcess | null = null;
  const start = async () => {
    rmSync(socket, { force: true });
    server = spawn('p11-kit', ['server', '--foreground', '--provider', hsm.module, '--name', socket, `pkcs11:token=${label}`], {
      env: hsm.env,
      stdio: 'ignore',
      detached: true,
    });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(socket)) throw new Error('p11-kit server did not create its socket.');
  };
  const stop = async () => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await exited;
  };
  await start();
  process.env.P11_KIT_SERVER_ADDRESS = `unix:path=${socket}`;
  return { socket, module: P11KIT_CLIENT_MODULE, cut: stop, restore: start, stop };
}
