// vault.* channels: apps, secrets, versions, reveal, recipients and rotation, clusters,
// principals and policies. The vault (and its database) is created on first use.
import { TesseraError } from '../../../../shared/contract/index.ts';
import type { SecretEntry, VaultService } from '../../vault/index.ts';
import type { Handlers } from '../dispatcher.ts';

type VaultChannel =
  | 'vault.apps'
  | 'vault.app'
  | 'vault.createApp'
  | 'vault.updateApp'
  | 'vault.deleteApp'
  | 'vault.setPublication'
  | 'vault.defineSecret'
  | 'vault.deleteSecret'
  | 'vault.writeVersion'
  | 'vault.importVersion'
  | 'vault.versions'
  | 'vault.reveal'
  | 'vault.recipients'
  | 'vault.addRecipient'
  | 'vault.retireRecipient'
  | 'vault.rewrapStatus'
  | 'vault.rewrap'
  | 'vault.clusters'
  | 'vault.setCluster'
  | 'vault.principals'
  | 'vault.addPrincipal'
  | 'vault.policies'
  | 'vault.setPolicy';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u;

function toEntries(values: { name: string; value: string; encoding?: 'utf8' | 'base64' | undefined }[]): SecretEntry[] {
  return values.map((v, i) => {
    if (v.encoding === 'base64' && !STRICT_BASE64.test(v.value)) {
      throw new TesseraError('INVALID_INPUT', `"values.${i}.value": is not valid base64 (key "${v.name}").`, { field: `values.${i}.value` });
    }
    return { name: v.name, value: Buffer.from(v.value, v.encoding === 'base64' ? 'base64' : 'utf8') };
  });
}

export function vaultHandlers(s: { vault: () => VaultService }): Pick<Handlers, VaultChannel> {
  const v = () => s.vault();
  return {
    'vault.apps': async () => v().listApps(),
    'vault.app': async ({ app }) => v().getApp(app),
    'vault.createApp': async (input) => v().createApp(input),
    'vault.updateApp': async ({ app, patch }) => v().updateApp(app, patch),
    'vault.deleteApp': async ({ app }) => v().deleteApp(app),
    'vault.setPublication': async ({ app, cluster, state }) => v().setPublication(app, cluster, state),
    'vault.defineSecret': async ({ app, ...def }) => v().defineSecret(app, def),
    'vault.deleteSecret': async ({ app, secret }) => v().deleteSecret(app, secret),
    'vault.writeVersion': async ({ app, secret, values, as }) => v().writeVersion(app, secret, toEntries(values), 'literal', as),
    'vault.importVersion': async ({ app, secret, format, text, as }) => v().importVersion(app, secret, format, text, as),
    'vault.versions': async ({ app, secret }) => v().listVersions(app, secret),
    'vault.reveal': async ({ app, secret, version, as }) => v().reveal(app, secret, version, as),
    'vault.recipients': async () => v().listRecipients(),
    'vault.addRecipient': async (input) =>
      'publicKeyPem' in input
        ? v().addRecipientFromPem(input.publicKeyPem, input.label, input.oaepHash, input.signer)
        : v().addRecipientFromToken(input.tokenSerial, input.keyId, input.label, input.signer),
    'vault.retireRecipient': async ({ fingerprint, signer }) => v().retireRecipient(fingerprint, signer),
    'vault.rewrapStatus': async () => v().rewrapStatus(),
    'vault.rewrap': async ({ as }) => v().rewrap(as),
    'vault.clusters': async () => v().listClusters(),
    'vault.setCluster': async ({ name, labels, kubeconfigSource }) => v().setCluster(name, labels, kubeconfigSource),
    'vault.principals': async () => v().listPrincipals(),
    'vault.addPrincipal': async (input) => v().addPrincipal(input),
    'vault.policies': async () => v().listPolicies(),
    'vault.setPolicy': async ({ name, selector, requiredApprovals, approverRole, excludeRequester }) =>
      v().setPolicy({ name, selector, requiredApprovals, approverRole: approverRole ?? 'release-manager', excludeRequester: excludeRequester ?? true }),
  };
}
