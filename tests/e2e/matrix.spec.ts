// The matrix in a real Chromium against `tessera serve`, a vault with public-key recipients
// (no token needed to write) and simulated clusters: scan, tiles with states and accessible
// names, filters, keyboard navigation, selection and the details drawer.
import { expect, test } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/simulator.ts';
import { rpc } from '../support/rpc.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';

let fleet: Fleet;
let served: ServedTessera;

test.beforeAll(async () => {
  fleet = await startFleet({ clusters: 6 });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-matrix-'));
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { KUBECONFIG: fleet.kubeconfigPath, TESSERA_UNSIGNED_DEMO: '1' } });
  const clusters = await rpc(served, 'kube.clusters', {});
  for (const [i, c] of clusters.entries())
    await rpc(served, 'kube.setLabels', { cluster: c.name, set: { env: i < 2 ? 'prod' : 'dev', region: i % 2 ? 'eu' : 'us' }, remove: [] });
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await rpc(served, 'vault.addRecipient', { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), label: 'offline backup' });
  for (const app of ['billing', 'checkout', 'search']) {
    await rpc(served, 'vault.createApp', {
      name: app,
      namespace: app === 'search' ? 'discovery' : 'payments',
      owners: ['team-a'],
      targeting: { selector: app === 'search' ? 'env=dev' : '', include: app === 'search' ? [] : clusters.map((c) => c.name), exclude: [] },
    });
    await rpc(served, 'vault.defineSecret', { app, name: `${app}-db`, delivery: 'env', createNamespace: true });
    await rpc(served, 'vault.writeVersion', { app, secret: `${app}-db`, values: [{ name: 'PASSWORD', value: `pw-${app}` }] });
    for (const c of clusters.slice(0, 4)) await rpc(served, 'vault.setPublication', { app, cluster: c.name, state: 'published' });
  }
});

test.afterAll(async () => {
  await served?.stop();
  await fleet?.stop();
});

test('scan fills the matrix; tiles say app, cluster and state; keyboard, selection and drawer work', async ({ page }, testInfo) => {
  await page.goto(served.url);
  const grid = page.getByRole('grid', { name: 'Apps by clusters' });
  await expect(grid).toBeVisible();
  await expect(page.getByText('Not scanned yet')).toBeVisible();

  await page.getByRole('button', { name: 'Scan now' }).click();
  await expect(page.getByTestId('last-scan')).toBeVisible({ timeout: 30_000 });
  const clusters = await rpc(served, 'kube.clusters', {});
  const first = clusters[0]!.name;
  // Published but not yet provisioned: missing, and said so in words.
  const tile = grid.getByRole('gridcell', { name: `billing on ${first}: missing` });
  await expect(tile).toBeVisible();
  await expect(grid.getByRole('columnheader', { name: new RegExp(first) })).toBeVisible();
  await expect(grid.getByRole('rowheader', { name: /checkout/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('matrix-light.png'), fullPage: true });

  // Filters: a label selector narrows the columns; "only problems" keeps problem tiles.
  await page.getByRole('textbox', { name: 'Cluster selector' }).fill('env=prod');
  await expect(grid.getByRole('columnheader')).toHaveCount(3); // the corner + two prod clusters
  await page.getByRole('textbox', { name: 'Cluster selector' }).fill('env in (prod');
  await expect(page.getByText(/parenthes|\)|unbalanced|invalid/i).first()).toBeVisible();
  await page.getByRole('textbox', { name: 'Cluster selector' }).fill('');

  // Keyboard: click a tile, move right with the arrow, select with space, open with enter.
  await tile.click();
  await expect(tile).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  const second = page.locator(':focus');
  await expect(second).toHaveAttribute('role', 'gridcell');
  await expect(second).toHaveAttribute('aria-label', new RegExp(`^billing on ${clusters[1]!.name}: `));
  await page.keyboard.press(' ');
  await expect(page.getByTestId('selection-bar')).toContainText('2 tiles selected');
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: `billing on ${clusters[1]!.name}` });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('heading', { name: 'payments/billing-db' })).toBeVisible();
  await expect(drawer.getByText('Desired version')).toBeVisible();
  await page.keyboard.press('Escape');

  // A row header selects the whole row.
  await grid.getByRole('rowheader', { name: /search/ }).click();
  await expect(page.getByTestId('selection-bar')).toContainText(`${clusters.length} tiles selected`);

  await page.getByTestId('theme-toggle').click();
  await page.screenshot({ path: testInfo.outputPath('matrix-dark.png'), fullPage: true });
});
