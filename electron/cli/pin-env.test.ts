import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unlockForRun } from './commands/token-shared.ts';
import type { CommandContext } from './command.ts';
import type { Core } from '../core/index.ts';
import { runExecPlugin } from '../core/kube/exec-credential.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** An exec plugin that writes the environment it was started with to a file, then answers with a token. */
function envDumpingPlugin(): { command: string; dump: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-env-'));
  const dump = join(dir, 'env.txt');
  const command = join(dir, 'plugin.sh');
  writeFileSync(
    command,
    `#!/bin/sh\nenv > '${dump}'\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'\n`,
  );
  chmodSync(command, 0o700);
  return { command, dump };
}

describe('PIN variables and exec plugin environments', () => {
  it('removes the --pin-env variable once read, and the exec plugin started afterwards never sees it or anything of Tessera', async () => {
    process.env.H14_TEST_PIN = '87654321';
    process.env.TESSERA_PRINCIPAL = 'officer';
    process.env.AWS_PROFILE = 'kept-for-the-plugin';
    let loggedInWith: unknown = null;
    const token = { serial: 'S1', label: 'officer', state: 'locked', flags: { loginRequired: true, protectedAuthenticationPath: false } };
    const core = {
      services: { env: process.env, tokens: () => ({ findToken: async () => token, setOperationPinSource: () => undefined }) },
      dispatcher: {
        dispatch: async (_channel: string, input: unknown) => {
          loggedInWith = input;
          return { ok: true, value: token };
        },
      },
    } as unknown as Core;
    const ctx: CommandContext = {
      values: { token: 'officer', 'pin-env': 'H14_TEST_PIN' },
      positionals: [],
      json: false,
      core: () => core,
      out: () => undefined,
      err: () => undefined,
    };
    await unlockForRun(ctx);
    expect(loggedInWith).toEqual({ tokenSerial: 'S1', pin: '87654321' });
    expect(process.env.H14_TEST_PIN).toBeUndefined();

    // Even set again later (a parent re-exporting it), the name is never passed on.
    process.env.H14_TEST_PIN = '87654321';
    const plugin = envDumpingPlugin();
    const credential = await runExecPlugin('ctx', { command: plugin.command }, { file: null, timeoutMs: 10_000 });
    expect(credential.token).toBe('t');
    const seen = readFileSync(plugin.dump, 'utf8');
    expect(seen).not.toContain('87654321');
    expect(seen).not.toMatch(/^TESSERA_/m);
    expect(seen).toContain('AWS_PROFILE=kept-for-the-plugin');
    expect(seen).toContain('KUBERNETES_EXEC_INFO=');
  });
});
