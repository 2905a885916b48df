// config.* channels: configuration as code (no values, no ciphertext).
import { exportConfigYaml, importConfig, type VaultService } from '../../vault/index.ts';
import type { Handlers } from '../dispatcher.ts';

export function configHandlers(s: { vault: () => VaultService }): Pick<Handlers, 'config.export' | 'config.import'> {
  return {
    'config.export': async () => ({ yaml: exportConfigYaml(s.vault()) }),
    'config.import': async ({ yaml, dryRun }) => importConfig(s.vault(), yaml, dryRun ?? false),
  };
}
