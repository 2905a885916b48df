// The vault: what the rest of core (handlers, the Kubernetes layer) may use.
export {
  VaultService,
  NO_CHAIN,
  ADOPT_HINT,
  mayUseApp,
  type VaultServiceOptions,
  type OpenedVersion,
  type PublishedApp,
  type NewApp,
  type SecretDefinition,
} from './vault-service.ts';
export { createVaultService, tokenAccess, type VaultDeps } from './create.ts';
export { KeyFinder, recipientIdentityProblem, recordIdentityProblem, type TokenAccess } from './keyring.ts';
export type { RecipientStatement, AdoptedVersion, ChainRecipient, ChainPrincipal, VaultTrust, VaultTrustView } from './trust-port.ts';
export {
  contentDigest,
  versionMessage,
  callMessage,
  callStatement,
  VERSION_DOMAIN,
  CALL_DOMAIN,
  type VersionStatement,
  type CallStatement,
} from './signed-messages.ts';
export { FORMAT_TAG, encodePayload, decodePayload, additionalData, seal, open, wipe, type SecretEntry, type VersionBinding } from './envelope.ts';
export { entriesFromEnvFile, entriesFromManifest } from './import-formats.ts';
export { exportConfig, exportConfigYaml, importConfig, parseConfig, CONFIG_API_VERSION, CONFIG_KIND, type VaultConfig } from './config-as-code.ts';
