// Run by crash.test.ts as a child process (Node 24 runs TypeScript directly): unlock a token,
// rewrap the vault and print one line per rewrapped version, until it finishes or is killed.
import { createCore } from '../../../electron/core/index.ts';

const [dataDir, module, ...serialPins] = process.argv.slice(2);
const core = createCore(
  {
    dataDir: dataDir!,
    version: 'test',
    host: 'cli',
    env: { ...process.env, TESSERA_ACTOR: 'rewrap-child' },
    hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
  },
  { logSinks: [] },
);
core.services.settings.set({ pkcs11Modules: [module!] });
core.events.subscribe((m) => {
  if (m.event === 'vault.rewrap.progress') process.stdout.write(`progress ${(m.payload as { done: number }).done}\n`);
});
for (let i = 0; i < serialPins.length; i += 2) {
  const r = await core.dispatcher.dispatch('hsm.login', { tokenSerial: serialPins[i], pin: process.env[serialPins[i + 1]!] }, { transport: 'test' });
  if (!r.ok) throw new Error(`login failed: ${r.error.code}`);
}
const result = await core.dispatcher.dispatch('vault.rewrap', {}, { transport: 'test' });
process.stdout.write(`done ${JSON.stringify(result)}\n`);
await core.close();
