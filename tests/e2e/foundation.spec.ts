// The desk in a real Chromium against `tessera serve`: every page, real kubeconfig contexts,
// the real SoftHSM2 module, dark mode, and a screenshot of each page.
import { expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const PAGES = ['Matrix', 'Apps', 'Clusters', 'Rollouts', 'Keys & tokens', 'Audit', 'Settings'];
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

let served: ServedTessera;

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: staging-eu',
      'clusters:',
      '- name: staging-eu\n  cluster:\n    server: https://staging-eu.example:6443',
      '- name: prod-us\n  cluster:\n    server: https://prod-us.example:6443',
      'contexts:',
      '- name: staging-eu\n  context:\n    cluster: staging-eu\n    user: ops',
      '- name: prod-us\n  context:\n    cluster: prod-us\n    user: ops\n    namespace: payments',
      'users:',
      '- name: ops\n  user:\n    token: e2e-not-a-real-token',
    ].join('\n'),
  );
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { KUBECONFIG: kubeconfig } });
});

test.afterAll(async () => served?.stop());

test('every page opens, shows real contexts and modules, and switches to dark mode', async ({ page }, testInfo) => {
  await page.goto(served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
  // The token leaves the address bar once read.
  expect(page.url()).not.toContain('token=');

  for (const name of PAGES) {
    await goToPage(page, name);
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    if (name === 'Clusters') {
      const table = page.getByRole('table', { name: 'Kubeconfig contexts' });
      await expect(table.getByText('staging-eu', { exact: true })).toBeVisible();
      await expect(table.getByText('prod-us', { exact: true })).toBeVisible();
      await expect(table.getByText('https://prod-us.example:6443')).toBeVisible();
    }
    if (name === 'Keys & tokens' && existsSync(SOFTHSM)) {
      await expect(page.getByRole('table', { name: 'PKCS#11 modules' }).getByText(SOFTHSM)).toBeVisible();
    }
    await page.screenshot({ path: testInfo.outputPath(`light-${name.replace(/\W+/g, '-').toLowerCase()}.png`), fullPage: true });
  }

  const html = page.locator('html');
  const before = await html.getAttribute('data-mantine-color-scheme');
  await page.getByTestId('theme-toggle').click();
  const after = before === 'dark' ? 'light' : 'dark';
  await expect(html).toHaveAttribute('data-mantine-color-scheme', after);
  for (const name of PAGES) {
    await goToPage(page, name);
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`${after}-${name.replace(/\W+/g, '-').toLowerCase()}.png`), fullPage: true });
  }
});

test('a reload keeps the session without the token in the URL', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
  await page.reload();
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
});

test('settings saved in the UI persist in the backend', async ({ page, request }) => {
  await page.goto(served.url);
  await goToPage(page, 'Settings');
  const concurrency = page.getByLabel('Concurrent cluster calls');
  await concurrency.fill('48');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  const res = await request.post(`${served.origin}/rpc/settings.get`, { headers: { authorization: `Bearer ${served.token}` }, data: {} });
  expect((await res.json()).value.concurrency).toBe(48);
});

test('the command palette (Ctrl+K) goes to a page', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
  await page.keyboard.press('Control+K');
  const search = page.getByRole('textbox', { name: 'Command palette' });
  await expect(search).toBeVisible();
  await search.fill('clusters');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Clusters' })).toBeVisible();
  await page.getByTestId('palette-button').click();
  await expect(search).toBeVisible();
  await search.fill('audit');
  await page.getByRole('button', { name: 'Go to Audit' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Audit' })).toBeVisible();
});

test('a page opened without the token says how to get in', async ({ page }) => {
  await page.goto(served.origin);
  await expect(page.getByText('No access token')).toBeVisible();
});
