// Optional PIN memory against a real Secret Service (gnome-keyring on a private session bus),
// driven in a child process so keytar talks to that bus; and a clear "unavailable" without one.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { secretServiceSkipReason, startSecretService, type SecretService } from '../../support/keyring.ts';

const skipReason = softHsmSkipReason() ?? secretServiceSkipReason();
if (skipReason) console.warn(`[keychain.test] skipped: ${skipReason}`);
const CHILD = fileURLToPath(new URL('./keychain-child.ts', import.meta.url));
const PIN = '660117-keychain-pin';

let hsm: SoftHsm;
let secrets: SecretService;

function runChild(env: NodeJS.ProcessEnv): { steps: Record<string, any>; raw: string } {
  const r = spawnSync(process.execPath, [CHILD], {
    env: { ...env, SOFTHSM2_CONF: hsm.conf, TEST_MODULE: hsm.module, TEST_TOKEN_SERIAL: hsm.tokens[0]!.serial, TEST_TOKEN_PIN: PIN },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const raw = `${r.stdout}${r.stderr}`;
  return { steps: JSON.parse(r.stdout || '{}'), raw };
}

describe.skipIf(skipReason !== null)('PIN memory in the OS keychain', () => {
  beforeAll(async () => {
    hsm = createSoftHsm([{ label: 'keychain', pin: PIN, soPin: '118822-keychain-so' }]);
    secrets = await startSecretService();
  });
  afterAll(() => {
    secrets?.stop();
    hsm?.cleanup();
  });

  it('stores a PIN only when asked, uses it to unlock, honours the policy and forgets it', () => {
    const { steps, raw } = runChild(secrets.env);
    expect(steps.crash).toBeUndefined();
    expect(steps.status).toMatchObject({ ok: true, value: { available: true, remembered: false, policy: 'allowed' } });
    expect(steps.loginNoRemember).toBe('ok');
    expect(steps.storedAfterNoRemember).toBe('none');
    expect(steps.loginRemember).toBe('ok');
    expect(steps.storedAfterRemember).toBe('the-pin');
    expect(steps.loginFromKeychain).toBe('ok');
    expect(steps.stateFromKeychain).toMatchObject({ state: 'unlocked', pinRemembered: true });
    expect(steps.forbiddenLoginWithoutPin).toBe('INVALID_INPUT');
    expect(steps.forbiddenRemember).toBe('FORBIDDEN');
    expect(steps.forget).toMatchObject({ ok: true, value: { remembered: false } });
    expect(steps.storedAfterForget).toBe('none');
    expect(raw).not.toContain(PIN);
  });

  it('reports the keychain as unavailable, with why, when no Secret Service runs', () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tessera-bus' };
    const { steps, raw } = runChild(env);
    expect(steps.status).toMatchObject({ ok: true, value: { available: false } });
    expect(steps.status.value.reason).toEqual(expect.any(String));
    expect(steps.loginNoRemember).toBe('ok');
    expect(steps.loginRemember).toBe('UNAVAILABLE');
    expect(raw).not.toContain(PIN);
  });
});
