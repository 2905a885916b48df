// Shared by the fleet rollout tests: a core on a simulated fleet, one SoftHSM2 token holding the
// vault's key, an app with secrets published on every cluster.
import type { Core } from '../../../electron/core/index.ts';
import type { TokenKeyView } from '../../../shared/contract/index.ts';
import type { Fleet } from '../../fleet/simulator.ts';
import { bootstrapOfficer, dispatchCaller } from '../../support/officer.ts';
import { value } from './support.ts';

export const VAULT_TOKEN = { label: 'fleet-vault', pin: '864209-vault', soPin: '975310-vault-so' };

/** Logs in, bootstraps a security officer, adds the vault recipient (signed), makes `app` with `secrets` secrets (one version each), published and targeted on every cluster. */
export async function fleetApp(core: Core, fleet: Fleet, serial: string, app: string, secrets: number): Promise<void> {
  await value(core, 'hsm.login', { tokenSerial: serial, pin: VAULT_TOKEN.pin });
  const kek = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type: 'ec-p256', label: 'kek' });
  const officer = await bootstrapOfficer(dispatchCaller(core), serial, 'fleet-officer');
  await value(core, 'vault.addRecipient', { tokenSerial: serial, keyId: kek.keyId, label: 'fleet kek', signer: officer.name });
  await value(core, 'vault.createApp', { name: app, namespace: 'default', targeting: { selector: 'fleet=yes', include: [], exclude: [] } });
  for (let i = 0; i < secrets; i++) {
    await value(core, 'vault.defineSecret', { app, name: `${app}-s${i}`, delivery: 'env' });
    await value(core, 'vault.writeVersion', {
      as: officer.name,
      app,
      secret: `${app}-s${i}`,
      values: [
        { name: 'A', value: `alpha-${i}` },
        { name: 'B', value: `beta-${i}` },
      ],
    });
  }
  const vault = core.services.vault();
  for (const c of fleet.contexts) vault.setCluster(c, { fleet: 'yes' });
  const appRecord = vault.apps.find(app)!;
  const { transaction } = await import('../../../electron/core/store/index.ts');
  transaction(vault.db, () => {
    for (const c of fleet.contexts) vault.apps.setPublication(appRecord.id, c, 'published', 'tester');
  });
}
