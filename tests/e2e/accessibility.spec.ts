// axe-core (WCAG 2 A and AA) on every page, light and dark, with real content (apps,
// simulated clusters, a scan): no violation at all, so none serious or critical.
import { expect, test } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/simulator.ts';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { rpc } from '../support/rpc.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const PAGES = ['Matrix', 'Apps', 'Clusters', 'Rollouts', 'Keys & tokens', 'Audit', 'Settings'];
let fleet: Fleet;
let served: ServedTessera;

test.beforeAll(async () => {
  fleet = await startFleet({ clusters: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-axe-'));
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { KUBECONFIG: fleet.kubeconfigPath, TESSERA_UNSIGNED_DEMO: '1' } });
  const clusters = await rpc(served, 'kube.clusters', {});
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await rpc(served, 'vault.addRecipient', { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), label: 'backup' });
  await rpc(served, 'vault.createApp', {
    name: 'billing',
    namespace: 'payments',
    targeting: { selector: '', include: clusters.map((c) => c.name), exclude: [] },
  });
  await rpc(served, 'vault.defineSecret', { app: 'billing', name: 'billing-db', delivery: 'env', createNamespace: true });
  await rpc(served, 'vault.writeVersion', { app: 'billing', secret: 'billing-db', values: [{ name: 'PASSWORD', value: 'axe-check' }] });
  await rpc(served, 'vault.setPublication', { app: 'billing', cluster: clusters[0]!.name, state: 'published' });
  await rpc(served, 'kube.scan', {});
});

test.afterAll(async () => {
  await served?.stop();
  await fleet?.stop();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`every page passes axe-core's WCAG 2 A/AA rules (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(served.url);
    await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
    for (const name of PAGES) {
      await goToPage(page, name);
      await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page);
    }
  });
}
