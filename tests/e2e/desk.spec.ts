// The desk as its three users meet it (issue 19), on a fleet like theirs: 50 simulated clusters
// with long names (20 prod, 30 staging), one refusing Secrets and one offline, and four SoftHSM2
// tokens. One test per finding, each asserting the fixed behaviour; screenshots in both themes.
import { expect, test, type Page } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { DESK_TOKENS, deskSkipReason, shotBothThemes, startDesk, unlockByApi, type Desk } from '../support/e2e-desk.ts';
import { goToPage } from '../support/e2e-page.ts';
import { rpc } from '../support/rpc.ts';

const skipReason = deskSkipReason();
let desk: Desk;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  if (skipReason) return;
  test.setTimeout(180_000);
  desk = await startDesk();
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await rpc(desk.served, 'vault.addRecipient', { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), label: 'offline backup' });
  // payments everywhere in prod, checkout on every cluster, search on staging.
  const apps: [string, string, string][] = [
    ['payments', 'payments', 'env=prod'],
    ['checkout', 'payments', ''],
    ['search', 'discovery', 'env=staging'],
  ];
  for (const [app, namespace, selector] of apps) {
    await rpc(desk.served, 'vault.createApp', { name: app, namespace, owners: ['team-a'], targeting: { selector, include: [], exclude: [] } });
    await rpc(desk.served, 'vault.defineSecret', { app, name: `${app}-tls`, delivery: 'volume', mountPath: '/etc/tls', createNamespace: true });
    await rpc(desk.served, 'vault.writeVersion', {
      app,
      secret: `${app}-tls`,
      values: [
        { name: 'tls.crt', value: `crt-${app}` },
        { name: 'tls.key', value: `key-${app}` },
      ],
    });
  }
});

test.afterAll(async () => {
  await desk?.stop();
});

async function openDesk(page: Page) {
  await page.goto(desk.served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');
}

test('1 · the header holds four unlocked tokens in one chip that opens a popover with each', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  for (const t of DESK_TOKENS) await unlockByApi(desk, t.label);
  await openDesk(page);
  const chip = page.getByTestId('token-status');
  await expect(chip).toHaveText(/^4 tokens unlocked · first locks in \d+ (min|s)$/);
  await expect(page.getByTestId('token-status')).toHaveCount(1);

  // The chip stays inside the header and leaves the page below it clickable.
  const header = await page.locator('header').boundingBox();
  const box = await chip.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(header!.y + header!.height);
  await goToPage(page, 'Rollouts');
  await page.getByRole('tab', { name: 'Approvers & policies' }).click({ timeout: 5_000 });
  await expect(page.getByRole('tab', { name: 'Approvers & policies' })).toHaveAttribute('aria-selected', 'true');

  await chip.click();
  const popover = page.getByTestId('token-popover');
  await expect(popover).toBeVisible();
  await expect(popover.getByTestId('unlocked-token')).toHaveCount(4);
  for (const t of DESK_TOKENS) {
    const row = popover.getByRole('group', { name: `Token ${t.label}` });
    await expect(row).toContainText('unlocked by olivia');
    await expect(row.getByTestId('auto-lock')).toHaveText(/locks in \d+ (min|s) if idle/);
  }
  await expectAccessible(page);
  await shotBothThemes(page, testInfo, 'header-four-tokens');

  await popover.getByRole('button', { name: 'Lock rm-bob' }).click();
  await expect(chip).toHaveText(/^3 tokens unlocked · first locks in/);
  await page.keyboard.press('Escape');
  await expect(popover).toBeHidden();
  await expect(chip).toBeFocused();
});
