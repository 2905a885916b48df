// A private Secret Service for tests: a session D-Bus and gnome-keyring-daemon (secrets only),
// unlocked with a password on stdin, under a temp HOME so no real keyring is touched.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  env: NodeJS.ProcessEnv;
  stop(): void;
}

export function secretServiceSkipReason(): string | null {
  for (const bin of ['dbus-daemon', 'gnome-keyring-daemon']) {
    if (spawnSync('which', [bin], { stdio: 'ignore' }).status !== 0) return `${bin} is not installed`;
  }
  return null;
}

export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'tessera-keyring-'));
  const baseEnv = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: home, XDG_CONFIG_HOME: join(home, 'config') };
  const out = execFileSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env: baseEnv, encoding: 'utf8' });
  const [address, pidText] = out.trim().split('\n');
  const dbusPid = Number(pidText);
  const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address! };
  const keyring: ChildProcess = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  keyring.stdin!.end('tessera-test-keyring-password');
  // Give the daemon a moment to claim org.freedesktop.secrets on the bus.
  await new Promise((r) => setTimeout(r, 700));
  return {
    env,
    stop() {
      keyring.kill();
      try {
        process.kill(dbusPid);
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
