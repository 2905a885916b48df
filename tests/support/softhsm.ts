// SoftHSM2 tokens made per test run: a temp dir with its own softhsm2.conf and token store,
// tokens initialised with softhsm2-util, and clean-up. SOFTHSM2_CONF is set in this process's
// real environment (native code reads it with getenv when the module is C_Initialized, and
// worker threads share the process environment), so call createSoftHsm before the first use.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE =
  ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p)) ?? '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmTokenSpec {
  label: string;
  pin: string;
  soPin: string;
}

export interface SoftHsmToken extends SoftHsmTokenSpec {
  serial: string;
}

export interface SoftHsm {
  dir: string;
  conf: string;
  module: string;
  tokens: SoftHsmToken[];
  /** Environment for child processes (pkcs11-tool, softhsm2-util). */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Why SoftHSM2 tests cannot run here, or null when they can. */
export function softHsmSkipReason(): string | null {
  if (!existsSync(SOFTHSM_MODULE)) return `SoftHSM2 module not found at ${SOFTHSM_MODULE}`;
  if (spawnSync('softhsm2-util', ['--version'], { stdio: 'ignore' }).status !== 0) return 'softhsm2-util is not on PATH';
  return null;
}

export function createSoftHsm(specs: SoftHsmTokenSpec[]): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const tokens: SoftHsmToken[] = [];
  for (const spec of specs) {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', spec.label, '--so-pin', spec.soPin, '--pin', spec.pin], { env, stdio: 'pipe' });
  }
  const slots = execFileSync('softhsm2-util', ['--show-slots'], { env, encoding: 'utf8' });
  for (const block of slots.split(/\nSlot /u)) {
    const label = /Label:\s*(.*)/u.exec(block)?.[1]?.trim();
    const serial = /Serial number:\s*(\S+)/u.exec(block)?.[1]?.trim();
    const spec = specs.find((s) => s.label === label);
    if (spec && serial) tokens.push({ ...spec, serial });
  }
  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    tokens,
    env,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
