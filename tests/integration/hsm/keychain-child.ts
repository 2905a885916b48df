// Run by keychain.test.ts in a child process whose DBUS_SESSION_BUS_ADDRESS points at a private
// Secret Service. Prints one JSON object with the outcome of each step (never a PIN).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createCore } from '../../../electron/core/index.ts';

const require = createRequire(import.meta.url);
const serial = process.env.TEST_TOKEN_SERIAL!;
const pin = process.env.TEST_TOKEN_PIN!;
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-keychain-data-'));
const core = createCore({ dataDir, version: 'test', host: 'cli', hsm: { modules: [process.env.TEST_MODULE!] } }, { logSinks: [] });
const d = core.dispatcher;
const ctx = { transport: 'test' as const };
const steps: Record<string, unknown> = {};
const stored = async () => {
  try {
    const keytar = require('keytar') as { getPassword(s: string, a: string): Promise<string | null> };
    const value = await keytar.getPassword('Tessera', serial);
    return value === null ? 'none' : value === pin ? 'the-pin' : 'something-else';
  } catch (error) {
    return `unavailable: ${(error as Error).message.split('\n')[0]}`;
  }
};
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

try {
  steps.status = await d.dispatch('hsm.keychain', { tokenSerial: serial }, ctx);
  steps.loginNoRemember = code(await d.dispatch('hsm.login', { tokenSerial: serial, pin }, ctx));
  steps.storedAfterNoRemember = await stored();
  await d.dispatch('hsm.logout', { tokenSerial: serial }, ctx);
  steps.loginRemember = code(await d.dispatch('hsm.login', { tokenSerial: serial, pin, remember: true }, ctx));
  steps.storedAfterRemember = await stored();
  await d.dispatch('hsm.logout', { tokenSerial: serial }, ctx);
  const fromKeychain = await d.dispatch('hsm.login', { tokenSerial: serial }, ctx);
  steps.loginFromKeychain = code(fromKeychain);
  steps.stateFromKeychain = fromKeychain.ok ? (fromKeychain.value as { state: string; pinRemembered: boolean }) : null;
  await d.dispatch('hsm.logout', { tokenSerial: serial }, ctx);
  core.services.settings.set({ keychainPolicy: 'forbidden' });
  steps.forbiddenLoginWithoutPin = code(await d.dispatch('hsm.login', { tokenSerial: serial }, ctx));
  steps.forbiddenRemember = code(await d.dispatch('hsm.login', { tokenSerial: serial, pin, remember: true }, ctx));
  core.services.settings.set({ keychainPolicy: 'allowed' });
  steps.forget = await d.dispatch('hsm.keychainForget', { tokenSerial: serial }, ctx);
  steps.storedAfterForget = await stored();
} catch (error) {
  steps.crash = (error as Error).name;
} finally {
  await core.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(steps));
