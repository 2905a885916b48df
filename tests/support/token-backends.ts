// The real PKCS#11 implementations the token suite runs against, each made per test run in a
// temp dir: SoftHSM2, a TPM 2.0 token (swtpm + tpm2-abrmd + tpm2-pkcs11), and SoftHSM2 behind
// `p11-kit server` reached through p11-kit's client module (a remote token, as a network HSM is).
import { randomBytes } from 'node:crypto';
import { P11KIT_CLIENT_MODULE, p11KitSkipReason, serveRemoteToken, type RemoteToken } from './p11kit.ts';
import { createSoftHsm, softHsmSkipReason } from './softhsm.ts';
import { createTpm, tpmSkipReason } from './tpm.ts';

export type BackendKind = 'softhsm2' | 'tpm' | 'remote';

export interface TokenBackend {
  kind: BackendKind;
  /** The module Tessera loads. */
  module: string;
  /** The token the suite uses. */
  token: { label: string; pin: string };
  /** Every PIN of the run, to check they never leak. */
  secrets: string[];
  /** The remote token's connection (remote only). */
  remote: RemoteToken | null;
  cleanup(): Promise<void>;
}

export function backendSkipReason(kind: BackendKind): string | null {
  if (kind === 'tpm') return tpmSkipReason();
  const soft = softHsmSkipReason();
  if (soft || kind === 'softhsm2') return soft;
  return p11KitSkipReason();
}

export async function createBackend(kind: BackendKind): Promise<TokenBackend> {
  const pin = `${randomBytes(4).toString('hex')}-user`;
  const soPin = `${randomBytes(4).toString('hex')}-so`;
  const label = kind === 'tpm' ? 'tpmtok' : kind === 'remote' ? 'remote' : 'soft';
  if (kind === 'tpm') {
    const tpm = await createTpm([{ label, pin, soPin }]);
    return { kind, module: tpm.module, token: { label, pin }, secrets: [pin, soPin], remote: null, cleanup: () => tpm.cleanup() };
  }
  // The remote case serves one of two SoftHSM2 tokens: the client must see only that one.
  const hsm = createSoftHsm(
    kind === 'remote'
      ? [
          { label, pin, soPin },
          { label: 'not-served', pin: `${pin}-x`, soPin },
        ]
      : [{ label, pin, soPin }],
  );
  if (kind === 'softhsm2') return { kind, module: hsm.module, token: { label, pin }, secrets: [pin, soPin], remote: null, cleanup: async () => hsm.cleanup() };
  const remote = await serveRemoteToken(hsm, label);
  return {
    kind,
    module: P11KIT_CLIENT_MODULE,
    token: { label, pin },
    secrets: [pin, soPin],
    remote,
    async cleanup() {
      await remote.stop();
      hsm.cleanup();
    },
  };
}
