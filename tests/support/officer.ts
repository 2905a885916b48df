// A security officer for tests: a signing key made on an unlocked SoftHSM2 token and the vault's
// signed chain bootstrapped with it, so recipients, versions, reveal and rewrap are signed as in
// real use. Works on a core's dispatcher (integration) or through a `call` function (HTTP).
import type { TokenKeyView, TrustPrincipalView } from '../../shared/contract/index.ts';

export type Caller = (channel: string, input: unknown) => Promise<unknown>;

export interface Officer {
  name: string;
  tokenSerial: string;
  key: TokenKeyView;
}

/** Makes `name` the vault's first security officer with a new EC P-256 key on the (unlocked) token. */
export async function bootstrapOfficer(call: Caller, tokenSerial: string, name = 'officer'): Promise<Officer> {
  const key = (await call('hsm.generateKey', { tokenSerial, type: 'ec-p256', label: `${name}-sign` })) as TokenKeyView;
  (await call('rollout.bootstrap', { name, tokenSerial, keyId: key.keyId })) as TrustPrincipalView;
  return { name, tokenSerial, key };
}

/** A dispatcher-backed Caller that throws on a refusal. */
export function dispatchCaller(core: { dispatcher: { dispatch(channel: string, input: unknown, ctx: { transport: 'test' }): Promise<unknown> } }): Caller {
  return async (channel, input) => {
    const result = (await core.dispatcher.dispatch(channel, input, { transport: 'test' })) as
      { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
}
