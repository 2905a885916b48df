// Audit end to end against `tessera serve` with a real SoftHSM2 token: the actions of an app's
// life (recipient, app, secret, version, reveal) appear in the log with who and what, filters
// narrow it, "Verify chain" passes, and the JSON Lines export downloads — without any value.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { rpc } from '../support/e2e-rpc.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../support/softhsm.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const skipReason = softHsmSkipReason();
const PIN = '314159';
const VALUE = 'audit-e2e-value-Kq93vX';
let hsm: SoftHsm;
let served: ServedTessera;

test.beforeAll(async () => {
  if (skipReason) return;
  hsm = createSoftHsm([{ label: 'officer-audit', pin: PIN, soPin: '27182818' }]);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-audit-'));
  served = await serveTessera({ dataDir: join(dir, 'data'), env: { SOFTHSM2_CONF: hsm.conf, KUBECONFIG: join(dir, 'none'), TESSERA_UNSIGNED_DEMO: '1' } });
  // The life of one app, through the same RPC the UI uses.
  const serial = hsm.tokens[0]!.serial;
  await rpc(served, 'hsm.login', { tokenSerial: serial, pin: PIN });
  const key = await rpc(served, 'hsm.generateKey', { tokenSerial: serial, type: 'ec-p256', label: 'audit-kek' });
  await rpc(served, 'vault.addRecipient', { tokenSerial: serial, keyId: key.keyId });
  await rpc(served, 'vault.createApp', { name: 'ledger', namespace: 'finance' });
  await rpc(served, 'vault.defineSecret', { app: 'ledger', name: 'ledger-db', delivery: 'env', workload: { kind: 'Deployment', name: 'ledger' } });
  await rpc(served, 'vault.writeVersion', { app: 'ledger', secret: 'ledger-db', values: [{ name: 'DB_PASSWORD', value: VALUE }] });
  await rpc(served, 'vault.reveal', { app: 'ledger', secret: 'ledger-db' });
  await rpc(served, 'hsm.logout', { tokenSerial: serial });
});

test.afterAll(async () => {
  await served?.stop();
  hsm?.cleanup();
});

async function openAudit(page: Page) {
  await page.goto(served.url);
  await goToPage(page, 'Audit');
  await expect(page.getByRole('heading', { level: 2, name: 'Audit' })).toBeVisible();
}

test('the actions appear, filters narrow them, the chain verifies, and the export holds no value', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await openAudit(page);
  const table = page.getByRole('table', { name: 'Audit entries' });
  for (const [action, subject] of [
    ['recipient.add', 'recipient/'],
    ['app.create', 'app/ledger'],
    ['secret.create', 'app/ledger/secret/ledger-db'],
    ['version.write', 'app/ledger/secret/ledger-db/v1'],
    ['version.reveal', 'app/ledger/secret/ledger-db/v1'],
  ]) {
    const row = table.getByRole('row').filter({ hasText: action! }).filter({ hasText: subject! });
    await expect(row.first()).toBeVisible();
    await expect(row.first()).toContainText('ok');
  }
  await expect(page.locator('body')).not.toContainText(VALUE);
  await page.screenshot({ path: testInfo.outputPath('audit-light.png'), fullPage: true });

  // Filter by action, then by text.
  await page.getByRole('combobox', { name: 'Action' }).click();
  await page.getByRole('option', { name: 'version.reveal' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText('DB_PASSWORD');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Text', { exact: true }).fill('ledger-db/v1');
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.getByText('Refused', { exact: true }).click();
  await expect(page.getByText(/Showing 0 of/)).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // Verify chain: a clear pass.
  await page.getByRole('button', { name: 'Verify chain' }).click();
  const verdict = page.getByTestId('verify-result');
  await expect(verdict).toContainText('Chain verified: intact');
  await expect(verdict).toContainText(/\d+ entries/);
  await expectAccessible(page);

  // Export: a JSON Lines download with every entry and no value.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON Lines' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^tessera-audit-.*\.jsonl$/);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.some((l) => l.action === 'version.reveal')).toBe(true);
  expect(text).not.toContain(VALUE);
  expect(text).not.toContain(PIN);

  // The same JSONL in a dialog, for hosts without downloads.
  await page.getByRole('button', { name: 'View JSON Lines' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('audit-jsonl')).toContainText('"version.write"');
  await expect(dialog.getByRole('button', { name: 'Copy all' })).toBeVisible();
  await page.keyboard.press('Escape');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('audit-dark.png'), fullPage: true });
});
