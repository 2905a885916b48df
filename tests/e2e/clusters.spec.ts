// Clusters end to end against `tessera serve` and two real clusters (kube-apiserver + etcd from
// tests/controlplane): each context shows reachable with its server version and its permissions
// as yes/no, labels are checked as typed, an edited label persists across a reload, and the
// label selector filter uses the shared parser.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findControlPlaneAssets, startControlPlane, type ControlPlane } from '../controlplane/harness.ts';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : null;
const version = 'assets' in found ? found.assets.version : '';
let plane: ControlPlane;
let served: ServedTessera;

test.beforeAll(async () => {
  if (skipReason) return;
  test.setTimeout(240_000);
  plane = await startControlPlane({ clusters: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-clusters-'));
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { KUBECONFIG: plane.kubeconfigPath } });
});

test.afterAll(async () => {
  await served?.stop();
  await plane?.stop();
});

async function openClusters(page: Page) {
  await page.goto(served.url);
  await goToPage(page, 'Clusters');
  await expect(page.getByRole('heading', { level: 2, name: 'Clusters' })).toBeVisible();
}

test('two real clusters show reachable with their version and permissions', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await openClusters(page);
  for (const c of plane.clusters) {
    const admin = page.getByTestId(`cluster-${c.contexts.admin}`);
    await expect(admin.getByText('reachable', { exact: true })).toBeVisible({ timeout: 60_000 });
    await expect(admin.getByText(version, { exact: true })).toBeVisible();
    const perms = admin.getByRole('table', { name: `Permissions of ${c.contexts.admin}` });
    for (const verb of ['get', 'list', 'create', 'patch', 'delete'])
      await expect(perms.getByLabel(new RegExp(`^${verb} secrets in .*: yes$`)).first()).toBeVisible();
    await expect(perms.getByLabel(/^patch deployments in .*: yes$/).first()).toBeVisible();

    // The viewer may read namespaces but not touch Secrets: clear "no" badges.
    const viewer = page.getByTestId(`cluster-${c.contexts.viewer}`);
    await expect(viewer.getByText('reachable', { exact: true })).toBeVisible();
    const vperms = viewer.getByRole('table', { name: `Permissions of ${c.contexts.viewer}` });
    await expect(vperms.getByLabel(/^create secrets in .*: no$/).first()).toBeVisible();
    await expect(vperms.getByLabel(/^get secrets in .*: no$/).first()).toBeVisible();

    // The limited user may do everything with Secrets in its namespace.
    const limited = page.getByTestId(`cluster-${c.contexts.limited}`);
    await expect(
      limited.getByRole('table', { name: `Permissions of ${c.contexts.limited}` }).getByLabel(`create secrets in ${c.limitedNamespace}: yes`),
    ).toBeVisible();
  }
  const overview = page.getByRole('table', { name: 'Kubeconfig contexts' });
  await expect(overview.getByRole('row').filter({ hasText: plane.clusters[0]!.contexts.admin })).toContainText(`yes, ${version}`);
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('clusters-light.png'), fullPage: true });
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('clusters-dark.png'), fullPage: true });
  await page.getByTestId('theme-toggle').click();
});

test('a label is checked as typed, persists across a reload, and drives filter and grouping', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  const first = plane.clusters[0]!.contexts.admin;
  const second = plane.clusters[1]!.contexts.admin;
  await openClusters(page);
  const card = page.getByTestId(`cluster-${first}`);
  const input = card.getByRole('textbox', { name: `Add or change a label of ${first}` });
  await input.fill('env=staging!');
  await expect(card.getByText(/Label value must be a label value/)).toBeVisible();
  await input.fill('-env=staging');
  await expect(card.getByText(/Label key must be a label key/)).toBeVisible();
  await input.fill('env=staging');
  await input.press('Enter');
  await expect(card.getByRole('list', { name: `Labels of ${first}` })).toContainText('env=staging');
  const other = page.getByTestId(`cluster-${second}`).getByRole('textbox', { name: `Add or change a label of ${second}` });
  await other.fill('env=prod');
  await other.press('Enter');
  await expect(page.getByTestId(`cluster-${second}`).getByRole('list', { name: `Labels of ${second}` })).toContainText('env=prod');

  await page.reload();
  await goToPage(page, 'Clusters');
  await expect(page.getByTestId(`cluster-${first}`).getByRole('list', { name: `Labels of ${first}` })).toContainText('env=staging');

  // Filter with the shared selector parser, then group by the label.
  const filter = page.getByLabel('Filter by label selector');
  await filter.fill('env in (staging');
  await expect(page.getByText(/Selector must be a label selector/)).toBeVisible();
  await filter.fill('env in (staging,prod)');
  await expect(page.getByText(/^2 of 6 context\(s\)/)).toBeVisible();
  await page.getByRole('combobox', { name: 'Group by label' }).click();
  await page.getByRole('option', { name: 'env' }).click();
  await expect(page.getByRole('heading', { level: 3, name: 'env=prod' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: 'env=staging' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('clusters-grouped-light.png'), fullPage: true });

  // Remove the label again.
  await page.getByRole('button', { name: `Remove label env=staging from ${first}` }).click();
  await expect(page.getByText(/^1 of 6 context\(s\)/)).toBeVisible();
});

test('no contexts: the empty state says where it looked and what to do', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-noctx-'));
  const empty = await serveTessera({ dataDir: join(dir, 'data'), env: { KUBECONFIG: join(dir, 'missing-kubeconfig') } });
  try {
    await page.goto(empty.url);
    await goToPage(page, 'Clusters');
    await expect(page.getByText(/No kubeconfig contexts found in .*missing-kubeconfig — add a file in/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Settings' }).last()).toBeVisible();
  } finally {
    await empty.stop();
  }
});
