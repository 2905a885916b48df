// Shared by the vault's integration tests: a core on SoftHSM2 tokens, channel calls that keep
// every error message (so the canary search covers them), and raw database access for tampering.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createCore, type Core } from '../../../electron/core/index.ts';
import type { Result } from '../../../shared/contract/index.ts';

export const errorMessages: string[] = [];

export function makeCore(dataDir: string, module: string | null, env: NodeJS.ProcessEnv = {}): Core {
  const core = createCore(
    {
      dataDir,
      version: 'test',
      host: 'cli',
      env: { ...process.env, TESSERA_ACTOR: 'tester', ...env },
      hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
    },
    { logSinks: [] },
  );
  if (module) core.services.settings.set({ pkcs11Modules: [module] });
  return core;
}

export async function call<T>(core: Core, channel: string, input: unknown): Promise<Result<T>> {
  const result = (await core.dispatcher.dispatch(channel, input, { transport: 'test' })) as Result<T>;
  if (!result.ok) errorMessages.push(result.error.message);
  return result;
}

export async function value<T>(core: Core, channel: string, input: unknown): Promise<T> {
  const result = await call<T>(core, channel, input);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export async function refusal(
  core: Core,
  channel: string,
  input: unknown,
): Promise<{ code: string; message: string; field?: string; details?: Record<string, unknown> }> {
  const result = await call(core, channel, input);
  if (result.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return result.error;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A second, raw connection to the vault's database: what an attacker with file access could do. */
export function rawDb(dataDir: string): DatabaseSync {
  const db = new DatabaseSync(join(dataDir, 'tessera.db'));
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}
