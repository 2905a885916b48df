// Apps end to end in a real Chromium against `tessera serve` with a real SoftHSM2 token:
// log in, create a key and make it the recipient, create an app with a secret delivered as env
// to a Deployment, write two versions (with the key-name diff), see the history, and reveal the
// values only after a token login — masked by default, gone after 30 s, never leaving a value
// or the PIN in the page.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { offlineKubeconfig } from '../support/e2e-rpc.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../support/softhsm.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const skipReason = softHsmSkipReason();
const PIN = '864209';
const VALUE_V1 = 'postgres://billing:pw-first-7Qx@db/billing';
const TOKEN_V1 = 'tok-first-Zr81';
const VALUE_V2 = 'postgres://billing:pw-second-4Lm@db/billing';
let hsm: SoftHsm;
let served: ServedTessera;

test.beforeAll(async () => {
  if (skipReason) return;
  hsm = createSoftHsm([{ label: 'officer-apps', pin: PIN, soPin: '97531975' }]);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-apps-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, offlineKubeconfig());
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { SOFTHSM2_CONF: hsm.conf, KUBECONFIG: kubeconfig, TESSERA_UNSIGNED_DEMO: '1' } });
});

test.afterAll(async () => {
  await served?.stop();
  hsm?.cleanup();
});

/** A full-page screenshot from the top, so the fixed header sits where it belongs. */
async function shot(page: Page, path: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
}

async function noSecretsInPage(page: Page) {
  const text = (await page.locator('body').innerText()) + (await page.content());
  for (const s of [PIN, VALUE_V1, TOKEN_V1, VALUE_V2, 'pw-first', 'pw-second']) expect(text, `page must not hold "${s}"`).not.toContain(s);
}

test('an app secret: recipient, two versions with a key diff, history, and an audited, timed reveal', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.clock.install();
  await page.goto(served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');

  // Keys & tokens: unlock, create a key, make it the recipient, lock again.
  await goToPage(page, 'Keys & tokens');
  const recipientsEmpty = page.getByText('No recipients yet');
  await expect(recipientsEmpty).toBeVisible();
  const row = page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'officer-apps' });
  await row.getByRole('button', { name: 'Unlock' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('PIN', { exact: true }).fill(PIN);
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog).toBeHidden();
  await page.getByLabel('Label', { exact: true }).fill('vault-kek');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('table', { name: 'Keys on officer-apps' }).getByText('vault-kek')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('combobox', { name: 'Key on "officer-apps"' }).click();
  await page.getByRole('option', { name: /vault-kek/ }).click();
  await page.getByRole('button', { name: 'Add as recipient' }).click();
  const recipients = page.getByRole('table', { name: 'Recipients' });
  await expect(recipients.getByRole('row').filter({ hasText: 'vault-kek' })).toContainText('active');
  await shot(page, testInfo.outputPath('keys-recipients-light.png'));
  await row.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByTestId('token-status')).toHaveText('No token unlocked');

  // Apps: create an app; the name is checked as it is typed.
  await goToPage(page, 'Apps');
  await expect(page.getByText('No apps yet')).toBeVisible();
  await page.getByRole('button', { name: 'Create app' }).click();
  const create = page.getByRole('dialog', { name: 'Create an app' });
  await create.getByLabel('App name').fill('Billing API');
  await expect(create.getByText(/Name must be a DNS-1123 subdomain/)).toBeVisible();
  await create.getByLabel('App name').fill('billing-api');
  await create.getByLabel('Namespace').fill('billing');
  await create.getByLabel('Owners').fill('team-payments');
  await create.getByLabel('Owners').press('Enter');
  await create.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'App billing-api' })).toBeVisible();

  // A secret delivered as env to a Deployment.
  await page.getByRole('button', { name: 'Define a secret' }).click();
  const define = page.getByRole('dialog', { name: 'Define a secret' });
  await define.getByLabel('Kubernetes Secret name').fill('db-credentials');
  await define.getByLabel('Wire it into a workload').check();
  await define.getByLabel('Workload name').fill('billing-api');
  await define.getByLabel('Container (optional)').fill('API');
  await expect(define.getByText(/Container must be a DNS-1123 label/)).toBeVisible();
  await define.getByLabel('Container (optional)').fill('api');
  await define.getByRole('button', { name: 'Define secret' }).click();
  const card = page.getByTestId('secret-db-credentials');
  await expect(card).toContainText('Deployment');
  await expect(card).toContainText('No version yet');

  // Version 1: rules checked as the key names are typed, then the diff, then save.
  await card.getByRole('button', { name: 'Write new version' }).click();
  const write = page.getByRole('dialog', { name: 'New version of "db-credentials"' });
  await write.getByLabel('Key name 1', { exact: true }).fill('DATABASE-URL');
  await expect(write.getByText(/must be an environment variable name/)).toBeVisible();
  await write.getByLabel('Key name 1', { exact: true }).fill('DATABASE_URL');
  await expect(write.getByText(/must be an environment variable name/)).toBeHidden();
  await write.getByLabel('Value 1', { exact: true }).fill(VALUE_V1);
  await write.getByRole('button', { name: 'Add key' }).click();
  await write.getByLabel('Key name 2', { exact: true }).fill('API_TOKEN');
  await write.getByLabel('Value 2', { exact: true }).fill(TOKEN_V1);
  await write.getByRole('button', { name: 'Review changes' }).click();
  const diff1 = write.getByTestId('key-diff');
  await expect(diff1).toContainText('first version');
  await expect(diff1).toContainText('DATABASE_URL');
  await expect(diff1).toContainText('API_TOKEN');
  await write.getByRole('button', { name: 'Save version' }).click();
  await expect(write).toBeHidden();
  const history = card.getByRole('table', { name: 'Version history of db-credentials' });
  await expect(history.getByRole('row')).toHaveCount(2);
  await expect(history.getByRole('row').nth(1)).toContainText('v1');
  await expect(history.getByRole('row').nth(1)).toContainText('API_TOKEN');

  // Version 2: drop API_TOKEN, add a generated SESSION_SECRET, change DATABASE_URL.
  await card.getByRole('button', { name: 'Write new version' }).click();
  // The current key names come prefilled (in the vault's order); values are never fetched.
  await expect(write.getByLabel('Key name 1', { exact: true })).toHaveValue('API_TOKEN');
  await expect(write.getByLabel('Key name 2', { exact: true })).toHaveValue('DATABASE_URL');
  await expect(write.getByLabel('Value 2', { exact: true })).toHaveValue('');
  await write.getByLabel('Value 2', { exact: true }).fill(VALUE_V2);
  await write.getByRole('button', { name: 'Remove key 1' }).click();
  await expect(write.getByLabel('Key name 1', { exact: true })).toHaveValue('DATABASE_URL');
  await write.getByRole('button', { name: 'Add key' }).click();
  await write.getByLabel('Key name 2', { exact: true }).fill('SESSION_SECRET');
  await write.getByRole('button', { name: 'Generate a random value 2' }).click();
  await page.getByRole('textbox', { name: 'Length' }).fill('48');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(write.getByLabel('Value 2', { exact: true })).toHaveValue(/^[A-Za-z0-9]{48}$/);
  await write.getByRole('button', { name: 'Review changes' }).click();
  const diff2 = write.getByTestId('key-diff');
  await expect(diff2).toContainText('Added (1)');
  await expect(diff2).toContainText('SESSION_SECRET');
  await expect(diff2).toContainText('Removed (1)');
  await expect(diff2).toContainText('API_TOKEN');
  await expect(diff2).toContainText('Kept — value may have changed (1)');
  await expect(diff2).toContainText('DATABASE_URL');
  await shot(page, testInfo.outputPath('apps-version-diff-light.png'));
  await write.getByRole('button', { name: 'Save version' }).click();
  await expect(write).toBeHidden();
  await expect(history.getByRole('row')).toHaveCount(3);
  const v2 = history.getByRole('row').nth(1);
  await expect(v2).toContainText('v2');
  await expect(v2).toContainText('SESSION_SECRET');
  await expect(v2).toContainText('API_TOKEN');
  await noSecretsInPage(page);

  // Reveal: no token unlocked, so it asks for a login in place.
  await card.getByRole('button', { name: 'Reveal values of v2' }).click();
  const prompt = card.getByTestId('token-login-prompt');
  await expect(prompt).toBeVisible();
  await expect(card.getByRole('table', { name: 'Revealed values of db-credentials' })).toBeHidden();
  await prompt.getByLabel('PIN', { exact: true }).fill(PIN);
  await prompt.getByRole('button', { name: 'Unlock' }).click();
  const revealed = card.getByRole('table', { name: 'Revealed values of db-credentials' });
  await expect(revealed).toBeVisible();
  await expect(revealed.getByRole('row')).toHaveCount(3);
  // Masked by default.
  await noSecretsInPage(page);
  await revealed.getByRole('button', { name: 'Show value of DATABASE_URL' }).click();
  await expect(revealed.getByTestId('revealed-value')).toHaveText(VALUE_V2);
  await expect(card.getByTestId('reveal-countdown')).toHaveText(/Hidden again in \d+ s/);
  await expectAccessible(page);
  await shot(page, testInfo.outputPath('apps-revealed-light.png'));

  // Dark theme, same page.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await shot(page, testInfo.outputPath('apps-revealed-dark.png'));

  // 30 seconds later the values are gone from the page.
  await page.clock.fastForward(31_000);
  await expect(revealed).toBeHidden();
  await expect(card.getByRole('button', { name: 'Reveal values of v2' })).toBeVisible();
  await noSecretsInPage(page);
  await expectAccessible(page);
  await shot(page, testInfo.outputPath('apps-editor-dark.png'));

  // The list shows the app with its owner, secret count and targeting.
  await page.getByRole('button', { name: 'All apps' }).click();
  const apps = page.getByRole('table', { name: 'Apps' });
  const appRow = apps.getByRole('row').filter({ hasText: 'billing-api' });
  await expect(appRow).toContainText('team-payments');
  await expect(appRow).toContainText('no clusters targeted');
  await shot(page, testInfo.outputPath('apps-list-dark.png'));
  await page.getByTestId('theme-toggle').click();
  await shot(page, testInfo.outputPath('apps-list-light.png'));
});

test('targeting is checked with the shared selector rules, and an app is deleted only after confirming', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Create app' }).click();
  const create = page.getByRole('dialog', { name: 'Create an app' });
  await create.getByLabel('App name').fill('scratch-app');
  await create.getByLabel('Namespace').fill('scratch');
  await create.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'App scratch-app' })).toBeVisible();

  const selector = page.getByLabel('Cluster label selector');
  await selector.fill('env in (prod');
  await expect(page.getByText(/Selector must be a label selector/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save targeting' })).toBeDisabled();
  await selector.fill('env=prod');
  await page.getByRole('combobox', { name: 'Always include' }).click();
  await page.getByRole('option', { name: 'staging-eu' }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Save targeting' }).click();
  const clusters = page.getByRole('table', { name: 'Clusters and publish state' });
  await expect(clusters.getByRole('row').filter({ hasText: 'staging-eu' })).toContainText('included');
  const publish = clusters.getByRole('switch', { name: 'Published to staging-eu' });
  // Targeted is not published: publishing is the operator's just-in-time decision, and it
  // makes the plan that follows (here none: the cluster is unreachable, nothing is live).
  await expect(publish).toBeEnabled({ timeout: 30_000 });
  await expect(publish).not.toBeChecked();
  await publish.click();
  await expect(publish).toBeChecked({ timeout: 30_000 });
  await expect(publish).toBeEnabled({ timeout: 30_000 });
  await publish.click();
  await expect(publish).not.toBeChecked({ timeout: 30_000 });
  await expect(clusters.getByRole('switch', { name: 'Published to prod-us' })).toBeDisabled();
  await shot(page, testInfo.outputPath('apps-targeting-light.png'));

  await page.getByRole('button', { name: 'Delete app' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete app "scratch-app"?' });
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await confirm.getByLabel('Type "scratch-app" to confirm').fill('scratch-app');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Apps' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Apps' }).getByText('scratch-app')).toBeHidden();
});
