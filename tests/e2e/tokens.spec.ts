// Keys & tokens in a real Chromium against `tessera serve` with a real SoftHSM2 token:
// a wrong PIN is refused with the backend's sentence, the right one unlocks, a key is created
// on the token and listed, and locking hides the keys again.
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../support/softhsm.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const skipReason = softHsmSkipReason();
let hsm: SoftHsm;
let served: ServedTessera;

test.beforeAll(async () => {
  if (skipReason) return;
  hsm = createSoftHsm([{ label: 'officer-e2e', pin: '246810', soPin: '13579135' }]);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-tokens-'));
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { SOFTHSM2_CONF: hsm.conf, KUBECONFIG: join(dir, 'none'), TESSERA_ACTOR: 'e2e-operator' } });
});

test.afterAll(async () => {
  await served?.stop();
  hsm?.cleanup();
});

test('log in to a SoftHSM2 token through the UI, create a key and see it listed', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  await goToPage(page, 'Keys & tokens');
  const tokens = page.getByRole('table', { name: 'Tokens' });
  const row = tokens.getByRole('row').filter({ hasText: 'officer-e2e' });
  await expect(row).toBeVisible();
  await expect(row.getByText('locked', { exact: true })).toBeVisible();

  // A wrong PIN: refused with the token's sentence, the dialog stays open.
  await row.getByRole('button', { name: 'Unlock' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('PIN', { exact: true }).fill('913579');
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog.getByRole('alert')).toContainText(/PIN/);
  await expect(page.locator('body')).not.toContainText('913579');

  await dialog.getByLabel('PIN', { exact: true }).fill('246810');
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText('unlocked', { exact: true })).toBeVisible();
  await expect(page.getByTestId('token-status')).toHaveText(/^officer-e2e unlocked · locks in \d+ (min|s)$/);
  await page.getByTestId('token-status').click();
  const unlocked = page.getByTestId('token-popover').getByRole('group', { name: 'Token officer-e2e' });
  await expect(unlocked).toContainText('unlocked by e2e-operator');
  await expect(unlocked.getByTestId('auto-lock')).toHaveText(/locks in \d+ (min|s) if idle/);
  await page.keyboard.press('Escape');
  await expect(page.locator('body')).not.toContainText('246810');

  await page.getByLabel('Label').fill('release-signing');
  await page.getByRole('combobox', { name: 'New key type' }).click();
  await page.getByRole('option', { name: 'ec-p384' }).click();
  // What the token can do with the chosen type, read from its mechanisms, before anything is created.
  await expect(page.getByTestId('key-type-capability')).toHaveText('ec-p384: can be a vault recipient and sign.');
  await page.getByRole('button', { name: 'Create key' }).click();
  const keys = page.getByRole('table', { name: 'Keys on officer-e2e' });
  await expect(keys.getByText('release-signing')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('keys-unlocked.png'), fullPage: true });

  await row.getByRole('button', { name: 'Lock' }).click();
  await expect(row.getByText('locked', { exact: true })).toBeVisible();
  await expect(keys).toBeHidden();
  await expect(page.getByTestId('token-status')).toHaveText('No token unlocked');
});
