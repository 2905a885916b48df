// Shared by the rollout tests: a core on SoftHSM2 tokens (a security officer and two release
// managers), the signed chain bootstrapped, an app with secrets, and channel helpers.
import { createCore, type Core, type CoreConfig } from '../../../electron/core/index.ts';
import type { Result, TokenKeyView } from '../../../shared/contract/index.ts';
import { createSoftHsm, type SoftHsm } from '../../support/softhsm.ts';

export const SO = { label: 'rollout-so', pin: '246810-so', soPin: '135791-so-so' };
export const RM1 = { label: 'rollout-rm1', pin: '246810-rm1', soPin: '135791-rm1-so' };
export const RM2 = { label: 'rollout-rm2', pin: '246810-rm2', soPin: '135791-rm2-so' };

export async function call<T>(core: Core, channel: string, input: unknown): Promise<Result<T>> {
  return (await core.dispatcher.dispatch(channel, input, { transport: 'test' })) as Result<T>;
}

export async function value<T>(core: Core, channel: string, input: unknown): Promise<T> {
  const result = await call<T>(core, channel, input);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export async function refusal(core: Core, channel: string, input: unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const result = await call(core, channel, input);
  if (result.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return result.error;
}

export function makeCore(dataDir: string, module: string, kubeconfig: string, env: NodeJS.ProcessEnv = {}, reconcile?: CoreConfig['reconcile']): Core {
  const core = createCore(
    {
      dataDir,
      kubeconfig,
      version: 'test',
      host: 'cli',
      env: { ...process.env, TESSERA_ACTOR: 'tester', ...env },
      hsm: { autoLockMs: 600_000, presencePollMs: 60_000, keychain: null },
      ...(reconcile ? { reconcile } : {}),
    },
    { logSinks: [] },
  );
  core.services.settings.set({ pkcs11Modules: [module] });
  return core;
}

export interface Team {
  hsm: SoftHsm;
  serial: { so: string; rm1: string; rm2: string };
  keys: { soSign: TokenKeyView; kek: TokenKeyView; opSign: TokenKeyView; rm1: TokenKeyView; rm2: TokenKeyView };
}

export function makeTokens(): SoftHsm {
  return createSoftHsm([SO, RM1, RM2]);
}

/** Logs in every token, makes the keys, the vault recipient and the signed chain: sofia (SO + RM), rm1, rm2 (RM), oscar (operator). */
export async function setUpTeam(core: Core, hsm: SoftHsm, policy: { requiredApprovals: number; selector: string } | null): Promise<Team> {
  const serial = (l: string) => hsm.tokens.find((t) => t.label === l)!.serial;
  const s = { so: serial(SO.label), rm1: serial(RM1.label), rm2: serial(RM2.label) };
  await value(core, 'hsm.login', { tokenSerial: s.so, pin: SO.pin });
  await value(core, 'hsm.login', { tokenSerial: s.rm1, pin: RM1.pin });
  await value(core, 'hsm.login', { tokenSerial: s.rm2, pin: RM2.pin });
  const gen = (tokenSerial: string, label: string) => value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial, type: 'ec-p256', label });
  const keys = {
    soSign: await gen(s.so, 'sofia-sign'),
    kek: await gen(s.so, 'vault-kek'),
    opSign: await gen(s.so, 'oscar-sign'),
    rm1: await gen(s.rm1, 'rm1-sign'),
    rm2: await gen(s.rm2, 'rm2-sign'),
  };
  await value(core, 'rollout.bootstrap', { name: 'sofia', tokenSerial: s.so, keyId: keys.soSign.keyId });
  // Recipients are signed into the chain by a security officer; versions are signed by their author (sofia, as security officer).
  await value(core, 'vault.addRecipient', { tokenSerial: s.so, keyId: keys.kek.keyId, label: 'vault kek', signer: 'sofia' });
  await value(core, 'rollout.grantRoles', { name: 'sofia', roles: ['security-officer', 'release-manager'], signer: 'sofia' });
  await value(core, 'rollout.addPrincipal', { name: 'rm1', roles: ['release-manager'], tokenSerial: s.rm1, keyId: keys.rm1.keyId, signer: 'sofia' });
  await value(core, 'rollout.addPrincipal', { name: 'rm2', roles: ['release-manager'], tokenSerial: s.rm2, keyId: keys.rm2.keyId, signer: 'sofia' });
  await value(core, 'rollout.addPrincipal', { name: 'oscar', roles: ['operator'], publicKeyPem: keys.opSign.publicKeyPem, signer: 'sofia' });
  if (policy) await value(core, 'rollout.setPolicy', { name: 'prod', ...policy, excludeRequester: true, signer: 'sofia' });
  return { hsm, serial: s, keys };
}
