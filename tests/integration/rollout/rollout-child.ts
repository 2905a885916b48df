// Run by crash.test.ts as a child process (Node 24 runs TypeScript directly): unlock the vault's
// token, then execute a plan or resume a rollout, printing one line per finished step, until it
// finishes or is killed.
import { createCore } from '../../../electron/core/index.ts';

const [dataDir, module, kubeconfig, serial, pinEnv, mode, ref] = process.argv.slice(2);
const core = createCore(
  {
    dataDir: dataDir!,
    kubeconfig: kubeconfig!,
    version: 'test',
    host: 'cli',
    env: { ...process.env, TESSERA_ACTOR: 'rollout-child' },
    hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
  },
  { logSinks: [] },
);
core.services.settings.set({ pkcs11Modules: [module!] });
let done = 0;
core.events.subscribe((m) => {
  if (m.event === 'rollout.progress' && (m.payload as { state: string }).state === 'done') process.stdout.write(`progress ${++done}\n`);
});
const login = await core.dispatcher.dispatch('hsm.login', { tokenSerial: serial, pin: process.env[pinEnv!] }, { transport: 'test' });
if (!login.ok) throw new Error(`login failed: ${login.error.code}`);
const result =
  mode === 'execute'
    ? await core.dispatcher.dispatch('rollout.execute', { hash: ref }, { transport: 'test' })
    : await core.dispatcher.dispatch('rollout.retry', { rolloutId: ref }, { transport: 'test' });
const view = result.ok ? (result.value as { status: string; steps: { state: string; error: unknown }[] }) : null;
const firstError = view?.steps.find((s) => s.state === 'failed')?.error;
process.stdout.write(`result ${JSON.stringify(view ? { ok: true, status: view.status, ...(firstError ? { firstError } : {}) } : result)}\n`);
await core.close();
