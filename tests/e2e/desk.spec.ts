// The desk as its three users meet it (issue 19), on a fleet like theirs: 50 simulated clusters
// with long names (20 prod, 30 staging), one refusing Secrets and one offline, and four SoftHSM2
// tokens. One test per finding, each asserting the fixed behaviour; screenshots in both themes.
import { expect, test, type Page } from '@playwright/test';
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
  // The first security officer (olivia, on the officer token) signs two recipients on tokens:
  // the officer's key and the backup token's, so rollouts can unwrap.
  await unlockByApi(desk, 'officer');
  const signing = await rpc(desk.served, 'hsm.generateKey', { tokenSerial: desk.token('officer').serial, type: 'ec-p256', label: 'olivia-signing' });
  await rpc(desk.served, 'rollout.bootstrap', { name: 'olivia', tokenSerial: desk.token('officer').serial, keyId: signing.keyId });
  for (const label of ['officer', 'vault-backup'] as const) {
    await unlockByApi(desk, label);
    const key = await rpc(desk.served, 'hsm.generateKey', { tokenSerial: desk.token(label).serial, type: 'ec-p256', label: `${label}-kek` });
    await rpc(desk.served, 'vault.addRecipient', { tokenSerial: desk.token(label).serial, keyId: key.keyId, label: `${label}-kek`, signer: 'olivia' });
  }
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
      as: 'olivia',
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

test('4 · column names shorten in the middle, show in full on hover and focus, and a status line names the focused tile', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  const first = desk.prod[0]!; // prod-eu-west-1-cluster-00
  await openDesk(page);
  const grid = page.getByRole('grid', { name: 'Apps by clusters' });
  const header = grid.getByRole('columnheader', { name: first, exact: true });
  await expect(header).toBeVisible();
  // Head and tail survive: every prod-eu-west-1 cluster no longer reads "prod-eu-west-1-c…".
  await expect(header.locator('[data-short-label]')).toHaveText('prod-eu…ster-00');
  await expect(grid.getByRole('columnheader', { name: desk.prod[5]!, exact: true }).locator('[data-short-label]')).toHaveText('prod-eu…ster-05');

  await header.hover();
  const tip = page.getByRole('tooltip');
  await expect(tip).toHaveText(`${first} · env=prod`);
  await page.mouse.move(5, 400);
  await expect(tip).toBeHidden();

  // Focus (keyboard or click) shows the focused tile's column name and fills the status line.
  await grid.getByRole('gridcell', { name: new RegExp(`^payments on ${first}: `) }).click();
  await expect(tip).toHaveText(`${first} · env=prod`);
  const status = page.getByTestId('matrix-status-line');
  await expect(status).toHaveText(new RegExp(`^payments on ${first} · matches · not published · not scanned yet$`));
  await page.keyboard.press('ArrowRight');
  // Columns are sorted by name within their group.
  const sorted = [...desk.prod].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const next = sorted[sorted.indexOf(first) + 1]!;
  await expect(tip).toHaveText(`${next} · env=prod`);
  await expect(status).toContainText(`payments on ${next} · `);

  // Filtered down to one cluster per group, group labels stay inside their own column.
  await rpc(desk.served, 'kube.setLabels', { cluster: desk.prod[3]!, set: { team: 'edge' }, remove: [] });
  await rpc(desk.served, 'kube.setLabels', { cluster: desk.staging[3]!, set: { team: 'edge' }, remove: [] });
  await page.reload();
  await page.getByRole('textbox', { name: 'Cluster selector' }).fill('team=edge');
  await expect(grid.getByRole('columnheader')).toHaveCount(3);
  const boxes = await grid.locator('[data-column-group]').evaluateAll((els) =>
    els.map((el) => {
      const seg = el.getBoundingClientRect();
      const label = el.firstElementChild!.getBoundingClientRect();
      return { segRight: seg.right, labelRight: label.right, labelLeft: label.left };
    }),
  );
  expect(boxes).toHaveLength(2);
  for (const b of boxes) expect(b.labelRight).toBeLessThanOrEqual(b.segRight + 0.5);
  expect(boxes[0]!.labelRight).toBeLessThanOrEqual(boxes[1]!.labelLeft);
  await expectAccessible(page);
  await shotBothThemes(page, testInfo, 'matrix-columns-filtered');
});

test('9 · key names keep their case in monospace, and "Define a secret" sits at the top of an app', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  for (const cluster of desk.prod.slice(0, 4)) await rpc(desk.served, 'vault.setPublication', { app: 'payments', cluster, state: 'published' });
  const plan = await rpc(desk.served, 'rollout.plan', { scope: { apps: ['payments'], clusters: desk.prod.slice(0, 4) } });
  expect(plan.counts.create).toBe(4);
  await openDesk(page);
  await page.evaluate((hash) => (window.location.hash = `/rollouts/${hash}`), plan.hash);
  const key = page.getByTestId('plan-panel').locator('[data-key-name="tls.crt"]').first();
  await expect(key).toBeVisible();
  expect(await key.evaluate((el) => [getComputedStyle(el).textTransform, getComputedStyle(el).fontFamily])).toEqual(['none', expect.stringMatching(/mono/i)]);
  expect(await key.evaluate((el) => (el as HTMLElement).innerText)).toContain('tls.crt');

  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Open app payments' }).click();
  const define = page.getByRole('button', { name: 'Define a secret' });
  const targeting = page.getByText('Targeting', { exact: true }).first();
  await expect(define).toBeVisible();
  await expect(targeting).toBeVisible();
  const defineBox = await define.boundingBox();
  expect(defineBox!.y).toBeLessThan(300);
  expect(defineBox!.y).toBeLessThan((await targeting.boundingBox())!.y);
  const secretKey = page.locator('[data-key-name="tls.key"]').first();
  expect(await secretKey.evaluate((el) => (el as HTMLElement).innerText)).toContain('tls.key');
  await expectAccessible(page);
  await shotBothThemes(page, testInfo, 'app-secrets-first');
});

test('10 · keyboard: Shift+Arrow extends, Escape clears, focus returns from the drawer, selection looks unlike focus; the palette finds things', async ({
  page,
}, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await openDesk(page);
  const grid = page.getByRole('grid', { name: 'Apps by clusters' });
  const start = grid.getByRole('gridcell', { name: new RegExp(`^checkout on ${desk.prod[0]!}: `) });
  await start.click();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('selection-bar')).toContainText('6 tiles selected');
  await shotBothThemes(page, testInfo, 'matrix-range-selected');

  // A selected tile that is not focused and a focused tile look different.
  const focused = page.locator(':focus');
  await expect(focused).toHaveAttribute('role', 'gridcell');
  const looks = await grid.locator('[role="gridcell"][aria-selected="true"]').evaluateAll((els) =>
    els.map((el) => ({
      focused: el === document.activeElement,
      outline: getComputedStyle(el).outlineStyle,
      corner: getComputedStyle(el, '::after').content,
      shadow: getComputedStyle(el).boxShadow,
    })),
  );
  const other = looks.find((l) => !l.focused)!;
  expect(other.outline).toBe('none');
  expect(other.corner).not.toBe('none');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('selection-bar')).toBeHidden();
  const focusLook = await focused.evaluate((el) => ({ outline: getComputedStyle(el).outlineStyle, corner: getComputedStyle(el, '::after').content }));
  expect(focusLook).toEqual({ outline: 'solid', corner: 'none' });

  // Enter opens the drawer; closing it puts the focus back on the same tile.
  const label = await focused.getAttribute('aria-label');
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: label!.split(':')[0]! });
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(page.locator(':focus')).toHaveAttribute('aria-label', label!);

  // The palette finds an app, a secret, a cluster and a plan, not only pages.
  await page.keyboard.press('Control+K');
  const palette = page.getByRole('textbox', { name: 'Command palette' });
  await expect(palette).toBeFocused();
  await palette.fill('search');
  await expect(page.getByRole('button', { name: /App search/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /Secret discovery\/search-tls/ })).toBeVisible();
  await palette.fill('cluster-07');
  await expect(page.getByRole('button', { name: new RegExp(`Cluster ${desk.prod[7]!}`) })).toBeVisible();
  await palette.fill('Plan:');
  await expect(page.getByRole('button', { name: /Plan: .*4 creates/ }).first()).toBeVisible();
  await expectAccessible(page);
  await palette.fill('prod-us-east-1-cluster-02');
  await page.getByRole('button', { name: /Cluster prod-us-east-1-cluster-02/ }).click();
  await expect(page).toHaveURL(/#\/clusters\/prod-us-east-1-cluster-02$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Clusters' })).toBeVisible();
});

test('2 · Provision publishes, plans and runs after one confirmation; by selection too; "matches · not published" is named', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await unlockByApi(desk, 'officer');
  const staging = [...desk.staging].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const grid = page.getByRole('grid', { name: 'Apps by clusters' });
  await openDesk(page);
  const first = grid.getByRole('gridcell', { name: `search on ${staging[0]!}: matches · not published` });
  await expect(first).toBeVisible();
  await first.click();
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: `search on ${staging[0]!}` });
  await drawer.getByRole('button', { name: 'Provision', exact: true }).click();
  const confirm = page.getByTestId('provision-confirm');
  await expect(page.getByRole('dialog', { name: /^Provision: search → / })).toBeVisible();
  await expect(confirm.getByRole('table', { name: 'What this plan does' })).toContainText('discovery/search-tls');
  await expect(confirm).toContainText('1 create');
  await shotBothThemes(page, testInfo, 'provision-confirm');
  await confirm.getByRole('button', { name: 'Provision now' }).click();
  await expect(page.getByTestId('provision-result')).toContainText('Rollout completed', { timeout: 60_000 });
  await expect(page.getByTestId('provision-result')).toContainText('1 done · 0 failed');
  await confirm.getByRole('button', { name: 'Close' }).click();
  await page.keyboard.press('Escape');
  // Rescanned when the rollout ended: no manual scan.
  await expect(grid.getByRole('gridcell', { name: `search on ${staging[0]!}: in sync` })).toBeVisible({ timeout: 30_000 });

  // A range of three tiles: one Provision for all, one confirmation.
  await grid.getByRole('gridcell', { name: new RegExp(`^search on ${staging[1]!}: `) }).click();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  const bar = page.getByTestId('selection-bar');
  await expect(bar).toContainText('3 tiles selected');
  await bar.getByRole('button', { name: 'Provision', exact: true }).click();
  await expect(confirm).toContainText('3 creates');
  await confirm.getByRole('button', { name: 'Provision now' }).click();
  await expect(page.getByTestId('provision-result')).toContainText('3 done · 0 failed', { timeout: 60_000 });
  await confirm.getByRole('button', { name: 'Close' }).click();
  for (const c of staging.slice(1, 4)) await expect(grid.getByRole('gridcell', { name: `search on ${c}: in sync` })).toBeVisible({ timeout: 30_000 });

  // Deprovision the same range: the plan deletes, Cancel would have put the publications back.
  await bar.getByRole('button', { name: 'Deprovision', exact: true }).click();
  await expect(confirm).toContainText('3 deletes');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  const app = await rpc(desk.served, 'vault.app', { app: 'search' });
  expect(app.publications.filter((p) => staging.slice(1, 4).includes(p.cluster)).map((p) => p.state)).toEqual(['published', 'published', 'published']);

  // The Apps page: publish to every matching cluster at once.
  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Open app search' }).click();
  await expect(page.getByText('matches · not published').first()).toBeVisible();
  const all = page.getByRole('button', { name: /^Publish to all matching \(\d+\)$/ });
  await expect(all).toHaveText(`Publish to all matching (${desk.staging.length - 4})`);
  await all.click();
  // 26 publications and a plan that reads 26 clusters first.
  await expect(confirm).toContainText(`on ${desk.staging.length - 4} cluster(s)`, { timeout: 60_000 });
  await expectAccessible(page);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(all).toHaveText(`Publish to all matching (${desk.staging.length - 4})`);
});

test('3 · the matrix stays true: the Scan button says what it does, the offline cluster does not hold the scan, a partial scan leaves others marked stale', async ({
  page,
}, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await openDesk(page);
  const grid = page.getByRole('grid', { name: 'Apps by clusters' });
  const button = page.getByTestId('scan-button');
  const started = Date.now();
  await button.click();
  await expect(button).toHaveText(/^Scanning \d+ of 51…$/);
  await expect(page.getByTestId('scan-waiting')).toContainText(desk.offline, { timeout: 20_000 });
  await expect(button).toHaveText('Scan now', { timeout: 25_000 });
  expect(Date.now() - started).toBeLessThan(25_000);
  await expect(grid.getByRole('gridcell', { name: `payments on ${desk.offline}: unreachable` })).toBeVisible();
  await expect(grid.getByRole('gridcell', { name: new RegExp(`^search on ${desk.forbidden}: `) })).toHaveAttribute(
    'aria-label',
    /forbidden|matches · not published/,
  );

  // A plan for env=prod scans prod only; staging keeps its states, marked stale with their time.
  const staging = [...desk.staging].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  await rpc(desk.served, 'rollout.plan', { scope: { selector: 'env=prod', apps: ['payments'] } });
  await page.reload();
  await expect(grid.getByRole('gridcell', { name: `search on ${staging[0]!}: in sync` })).toBeVisible();
  const header = grid.getByRole('columnheader', { name: staging[0]!, exact: true });
  await expect(header).toHaveAttribute('data-stale', 'true');
  await header.hover();
  await expect(page.getByRole('tooltip')).toContainText('stale: read ');
  await expect(grid.getByRole('columnheader', { name: desk.prod[0]!, exact: true })).not.toHaveAttribute('data-stale', 'true');
  await grid.getByRole('gridcell', { name: `search on ${staging[0]!}: in sync` }).click();
  await expect(page.getByTestId('matrix-status-line')).toContainText(`search on ${staging[0]!} · in sync · stale, as of `);
  await expectAccessible(page);
  await shotBothThemes(page, testInfo, 'matrix-stale-columns');
});

test('6 · plans are named by what they do, superseded ones hidden, "Needs my approval" filters, actions in full words', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  // A release manager (alice, on her own token) and a policy: env=prod needs one approval.
  await unlockByApi(desk, 'officer');
  await unlockByApi(desk, 'rm-alice');
  const alice = await rpc(desk.served, 'hsm.generateKey', { tokenSerial: desk.token('rm-alice').serial, type: 'ec-p256', label: 'alice-signing' });
  await rpc(desk.served, 'rollout.addPrincipal', {
    name: 'alice',
    roles: ['release-manager'],
    tokenSerial: desk.token('rm-alice').serial,
    keyId: alice.keyId,
    signer: 'olivia',
  });
  await rpc(desk.served, 'rollout.setPolicy', { name: 'prod-needs-one', selector: 'env=prod', requiredApprovals: 1, signer: 'olivia' });
  for (const cluster of desk.prod.slice(0, 4)) await rpc(desk.served, 'vault.setPublication', { app: 'payments', cluster, state: 'published' });
  await rpc(desk.served, 'rollout.plan', { scope: { apps: ['payments'], clusters: desk.prod.slice(0, 2) } });
  const newer = await rpc(desk.served, 'rollout.plan', { scope: { apps: ['payments'], clusters: desk.prod.slice(0, 4) }, refresh: false });
  expect(newer.approved).toBe(false);

  await openDesk(page);
  await page.evaluate(() => window.localStorage.setItem('tessera.actingAs', 'alice'));
  await goToPage(page, 'Rollouts');
  const list = page.getByRole('navigation', { name: 'Plans' });
  const named = list.locator('[data-status]').filter({ hasText: /^payments → \d+ prod clusters?, \d+ (creates?|updates?)/ });
  await expect(named.first()).toBeVisible();
  // The older plan for the same app is superseded and hidden until asked for.
  await expect(list.locator('[data-status="superseded"]')).toHaveCount(0);
  await page.getByRole('checkbox', { name: /^Show superseded plans \(\d+\)$/ }).check();
  await expect(list.locator('[data-status="superseded"]').first()).toContainText('superseded');
  await page.getByRole('checkbox', { name: /^Show superseded plans/ }).uncheck();

  await page.getByRole('checkbox', { name: 'Needs my approval' }).check();
  const mine = list.locator('[data-status]');
  await expect(mine.first()).toContainText('needs approval');
  for (const status of await list.locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))))
    expect(status).toBe('needs approval');

  await page.evaluate((hash) => (window.location.hash = `/rollouts/${hash}`), newer.hash);
  const changes = page.getByTestId('plan-changes');
  const action = changes.locator('[data-action="create"]').first();
  await expect(action).toBeVisible();
  expect(await action.evaluate((el) => (el as HTMLElement).innerText)).toBe('create');
  await expectAccessible(page);
  await shotBothThemes(page, testInfo, 'plans-named');
});
