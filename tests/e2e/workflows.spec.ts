// The desk's whole day in a real Chromium against `tessera serve`, with real SoftHSM2 tokens and
// two real clusters (kube-apiserver + etcd): first run, drift, deprovision, approval, audit.
// Each step saves screenshots (light, and dark where it matters) as test artifacts.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { findControlPlaneAssets, startControlPlane, type ControlPlane, type RealCluster } from '../controlplane/harness.ts';
import { clusterApi, deployment } from '../support/cluster-api.ts';
import { expectAccessible } from '../support/e2e-a11y.ts';
import { rpc } from '../support/rpc.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../support/softhsm.ts';
import { serveTessera, type ServedTessera } from '../support/serve.ts';
import { goToPage } from '../support/e2e-page.ts';

const assets = findControlPlaneAssets();
const skipReason = 'skipReason' in assets ? assets.skipReason : softHsmSkipReason();
const OFFICER_PIN = '314159';
const RELEASE_PIN = '271828';
const DB_PASSWORD = 'wf-pass-9Jq2x';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

let plane: ControlPlane;
let hsm: SoftHsm;
let served: ServedTessera;
let kubeconfig: string;
let one: RealCluster;
let two: RealCluster;

test.describe.configure({ mode: 'serial' });
test.setTimeout(150_000);

test.beforeAll(async () => {
  if (skipReason) return;
  test.setTimeout(300_000);
  plane = await startControlPlane({ clusters: 2 });
  [one, two] = plane.clusters as [RealCluster, RealCluster];
  // Only the admin contexts: the operator's kubeconfig.
  const doc = parse(readFileSync(plane.kubeconfigPath, 'utf8')) as { contexts: { name: string }[]; 'current-context'?: string };
  doc.contexts = doc.contexts.filter((c) => c.name.endsWith('-admin'));
  doc['current-context'] = one.contexts.admin;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-workflows-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, stringify(doc));
  for (const c of [one, two]) {
    expect((await clusterApi(c, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'billing' } })).status).toBe(201);
    expect((await clusterApi(c, 'POST', '/apis/apps/v1/namespaces/billing/deployments', deployment('billing-api', 'billing'))).status).toBe(201);
  }
  hsm = createSoftHsm([
    { label: 'officer', pin: OFFICER_PIN, soPin: '11223344' },
    { label: 'release', pin: RELEASE_PIN, soPin: '55667788' },
  ]);
  served = await serveTessera({
    dataDir: join(dir, 'data'),
    env: { SOFTHSM2_CONF: hsm.conf, KUBECONFIG: kubeconfig, TESSERA_ACTOR: 'olivia', TESSERA_UNSIGNED_DEMO: '1' },
  });
});

test.afterAll(async () => {
  await served?.stop();
  hsm?.cleanup();
  await plane?.stop();
});

async function shot(page: Page, path: string, dark = false) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  if (!dark) return;
  // A DOM click: the header's toggle sits under a drawer's overlay when one is open.
  const toggle = () => page.getByTestId('theme-toggle').evaluate((el: HTMLElement) => el.click());
  const html = page.locator('html');
  await toggle();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: path.replace(/\.png$/, '-dark.png'), fullPage: true });
  await toggle();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'light');
}

async function unlock(page: Page, label: string, pin: string) {
  await goToPage(page, 'Keys & tokens');
  const row = page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: label });
  // Wait for the table to show this token's state before deciding.
  await expect(row.getByRole('button', { name: /^(Lock|Unlock)$/ })).toBeVisible();
  if ((await row.getByRole('button', { name: 'Lock', exact: true }).count()) > 0) return;
  await row.getByRole('button', { name: 'Unlock' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('PIN', { exact: true }).fill(pin);
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog).toBeHidden();
}

async function createKey(page: Page, token: string, label: string, type: string) {
  const keys = page.getByRole('table', { name: `Keys on ${token}` });
  const card = page.getByTestId(`token-keys-${token}`);
  const scope = (await card.count()) > 0 ? card : page;
  const typeBox = scope.getByRole('combobox', { name: 'New key type' });
  if ((await typeBox.inputValue()) !== type) {
    await typeBox.click();
    await page.getByRole('option', { name: type, exact: true }).click();
  }
  await expect(typeBox).toHaveValue(type);
  await scope.getByLabel('Label', { exact: true }).fill(label);
  await scope.getByRole('button', { name: 'Create key' }).click();
  await expect(keys.getByText(label, { exact: true })).toBeVisible({ timeout: 60_000 });
}

async function scanNow(page: Page) {
  await goToPage(page, 'Matrix');
  const before = (await page.getByTestId('last-scan').count()) > 0 ? await page.getByTestId('last-scan').textContent() : null;
  await page.getByRole('button', { name: 'Scan now' }).click();
  await expect(page.getByRole('button', { name: 'Scan now' })).toBeEnabled({ timeout: 60_000 });
  if (before)
    await expect(page.getByTestId('last-scan'))
      .not.toHaveText(before, { timeout: 5_000 })
      .catch(() => undefined);
  await expect(page.getByTestId('last-scan')).toBeVisible();
}

const tile = (page: Page, cluster: string, state: string) =>
  page.getByRole('grid', { name: 'Apps by clusters' }).getByRole('gridcell', { name: `billing on ${cluster}: ${state}` });

async function executeOpenPlan(page: Page) {
  const panel = page.getByTestId('plan-panel');
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Execute' }).click();
  await expect(page.getByTestId('rollout-progress')).toContainText('Rollout completed', { timeout: 60_000 });
}

test('first run: token, key, recipient, app with an env secret wired into a Deployment, publish, plan, execute → in sync', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  await expect(page.getByTestId('backend-status')).toHaveText('Backend connected');

  await unlock(page, 'officer', OFFICER_PIN);
  await createKey(page, 'officer', 'vault-kek', 'ec-p256');
  await page.getByRole('combobox', { name: 'Key on "officer"' }).click();
  await page.getByRole('option', { name: /vault-kek/ }).click();
  await page.getByRole('button', { name: 'Add as recipient' }).click();
  await expect(page.getByRole('table', { name: 'Recipients' }).getByRole('row').filter({ hasText: 'vault-kek' })).toContainText('active');

  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Create app' }).click();
  const create = page.getByRole('dialog', { name: 'Create an app' });
  await create.getByLabel('App name').fill('billing');
  await create.getByLabel('Namespace').fill('billing');
  await create.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'App billing' })).toBeVisible();

  await page.getByRole('button', { name: 'Define a secret' }).click();
  const define = page.getByRole('dialog', { name: 'Define a secret' });
  await define.getByLabel('Kubernetes Secret name').fill('db-credentials');
  await define.getByLabel('Wire it into a workload').check();
  await define.getByLabel('Workload name').fill('billing-api');
  await define.getByLabel('Container (optional)').fill('api');
  await define.getByRole('button', { name: 'Define secret' }).click();
  const card = page.getByTestId('secret-db-credentials');
  await card.getByRole('button', { name: 'Write new version' }).click();
  const write = page.getByRole('dialog', { name: 'New version of "db-credentials"' });
  await write.getByLabel('Key name 1', { exact: true }).fill('DB_PASSWORD');
  await write.getByLabel('Value 1', { exact: true }).fill(DB_PASSWORD);
  await write.getByRole('button', { name: 'Review changes' }).click();
  await write.getByRole('button', { name: 'Save version' }).click();
  await expect(write).toBeHidden();

  // Target both clusters and publish on both: each change makes its plan; nothing is written yet.
  await page.getByRole('combobox', { name: 'Always include' }).click();
  await page.getByRole('option', { name: one.contexts.admin }).click();
  await page.getByRole('option', { name: two.contexts.admin }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Save targeting' }).click();
  for (const c of [one, two]) {
    const sw = page.getByRole('switch', { name: `Published to ${c.contexts.admin}` });
    await expect(sw).toBeEnabled({ timeout: 60_000 });
    await sw.focus();
    await page.keyboard.press('Space');
    await expect(sw).toBeChecked({ timeout: 60_000 });
  }
  expect((await clusterApi(one, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials')).status).toBe(404);

  // The matrix shows missing on both; select the row, plan, execute.
  await scanNow(page);
  await expect(tile(page, one.contexts.admin, 'missing')).toBeVisible();
  await expect(tile(page, two.contexts.admin, 'missing')).toBeVisible();
  await shot(page, testInfo.outputPath('1-matrix-missing.png'), true);
  await page
    .getByRole('grid', { name: 'Apps by clusters' })
    .getByRole('rowheader', { name: /billing/ })
    .click();
  await expect(page.getByTestId('selection-bar')).toContainText('2 tiles selected');
  await page.getByRole('button', { name: 'Plan rollout' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Rollouts' })).toBeVisible();
  await expect(page.getByTestId('plan-changes')).toContainText('create');
  await expect(page.getByTestId('plan-changes')).toContainText('DB_PASSWORD');
  await expect(page.locator('body')).not.toContainText(DB_PASSWORD);
  await shot(page, testInfo.outputPath('1-plan.png'), true);
  await executeOpenPlan(page);
  await shot(page, testInfo.outputPath('1-executed.png'));

  await scanNow(page);
  await expect(tile(page, one.contexts.admin, 'in sync')).toBeVisible();
  await expect(tile(page, two.contexts.admin, 'in sync')).toBeVisible();
  await shot(page, testInfo.outputPath('1-matrix-in-sync.png'), true);
  const live = await clusterApi(two, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials');
  expect(Buffer.from(live.json.data.DB_PASSWORD, 'base64').toString()).toBe(DB_PASSWORD);
  const wired = await clusterApi(two, 'GET', '/apis/apps/v1/namespaces/billing/deployments/billing-api');
  expect(wired.json.spec.template.spec.containers[0].env).toContainEqual({
    name: 'DB_PASSWORD',
    valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'DB_PASSWORD' } },
  });
});

test('drift: a kubectl edit shows as drifted with its field manager; Provision restores it', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  const changed = Buffer.from('changed-behind-our-back').toString('base64');
  if (hasKubectl) {
    const out = spawnSync(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        '--context',
        one.contexts.admin,
        '-n',
        'billing',
        'patch',
        'secret',
        'db-credentials',
        '-p',
        JSON.stringify({ data: { DB_PASSWORD: changed } }),
      ],
      { encoding: 'utf8' },
    );
    expect(out.status, out.stderr).toBe(0);
  } else {
    // Same change as kubectl patch makes (merge patch, field manager kubectl-patch).
    const res = await clusterApi(
      one,
      'PATCH',
      '/api/v1/namespaces/billing/secrets/db-credentials?fieldManager=kubectl-patch',
      { data: { DB_PASSWORD: changed } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
  }
  await page.goto(served.url);
  await scanNow(page);
  const drifted = tile(page, one.contexts.admin, 'drifted');
  await expect(drifted).toBeVisible();
  await drifted.click();
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: `billing on ${one.contexts.admin}` });
  await expect(drawer).toContainText('kubectl-patch');
  await expect(drawer).toContainText('DB_PASSWORD');
  await shot(page, testInfo.outputPath('2-drift-drawer.png'), true);
  // Provision: one confirmation that shows the plan, then it runs (no policy asks yet).
  await drawer.getByRole('button', { name: 'Provision', exact: true }).click();
  const confirm = page.getByTestId('provision-confirm');
  await expect(confirm).toContainText(one.contexts.admin);
  await confirm.getByRole('button', { name: 'Provision now' }).click();
  await expect(page.getByTestId('provision-result')).toContainText('Rollout completed', { timeout: 60_000 });
  await confirm.getByRole('button', { name: 'Close' }).click();
  await page.keyboard.press('Escape');
  await scanNow(page);
  await expect(tile(page, one.contexts.admin, 'in sync')).toBeVisible();
  const live = await clusterApi(one, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials');
  expect(Buffer.from(live.json.data.DB_PASSWORD, 'base64').toString()).toBe(DB_PASSWORD);
});

test('deprovision: unpublish on one cluster → the plan deletes there → the Secret is gone there only', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Open app billing' }).click();
  const sw = page.getByRole('switch', { name: `Published to ${two.contexts.admin}` });
  await expect(sw).toBeEnabled({ timeout: 60_000 });
  await sw.focus();
  await page.keyboard.press('Space');
  await expect(sw).not.toBeChecked({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Open the plan' }).first().click();
  const changes = page.getByTestId('plan-changes');
  await expect(changes).toContainText('delete');
  await expect(changes).toContainText(two.contexts.admin);
  await expect(changes).not.toContainText(one.contexts.admin);
  await shot(page, testInfo.outputPath('3-plan-delete.png'), true);
  await executeOpenPlan(page);
  expect((await clusterApi(two, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials')).status).toBe(404);
  expect((await clusterApi(one, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials')).status).toBe(200);
  const unwired = await clusterApi(two, 'GET', '/apis/apps/v1/namespaces/billing/deployments/billing-api');
  expect(unwired.json.spec.template.spec.containers[0].env ?? []).toEqual([]);
});

test('approval: env=prod needs a release manager; Execute is refused until their token signs', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  // Signing keys on both tokens.
  await unlock(page, 'officer', OFFICER_PIN);
  await createKey(page, 'officer', 'olivia-signing', 'ec-p256');
  await unlock(page, 'release', RELEASE_PIN);
  await createKey(page, 'release', 'rita-signing', 'ec-p256');
  await rpc(served, 'kube.setLabels', { cluster: two.contexts.admin, set: { env: 'prod' }, remove: [] });

  // The first security officer, a release manager, and the policy — each signed.
  await goToPage(page, 'Rollouts');
  await page.getByRole('tab', { name: 'Approvers & policies' }).click();
  await page.getByLabel('Name', { exact: true }).fill('olivia');
  await page.getByRole('combobox', { name: 'Token' }).click();
  await page.getByRole('option', { name: 'officer' }).click();
  await page.getByRole('combobox', { name: 'Signing key' }).click();
  await page.getByRole('option', { name: /olivia-signing/ }).click();
  await page.getByRole('button', { name: 'Sign the genesis record' }).click();
  await expect(page.getByTestId('trust-status')).toContainText('The chain of trust verifies');
  // The demo's unsigned recipient and versions are adopted once by the security officer: from here on everything is signed.
  const signed = page.getByTestId('signed-vault');
  await expect(signed.getByTestId('adopt-review')).toContainText(/1 recipient\(s\) and \d+ version\(s\) are not signed/);
  await signed.getByRole('combobox', { name: 'Adoption signed by (security officer)' }).click();
  await page.getByRole('option', { name: 'olivia' }).click();
  await signed.getByRole('button', { name: 'Sign the adoption' }).click();
  await expect(signed.getByRole('table', { name: 'Signed recipients' })).toContainText('olivia (record');
  await expect(signed).toContainText('Every recipient and version is signed.');
  await page.getByLabel('Name', { exact: true }).fill('rita');
  await page.getByRole('combobox', { name: 'Token' }).click();
  await page.getByRole('option', { name: 'release' }).click();
  await page.getByRole('combobox', { name: 'Signing key' }).click();
  await page.getByRole('option', { name: /rita-signing/ }).click();
  await page.getByRole('combobox', { name: 'Registration signed by (security officer)' }).click();
  await page.getByRole('option', { name: 'olivia' }).click();
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('table', { name: 'Principals' })).toContainText('rita');
  await page.getByLabel('Policy name').fill('prod');
  await page.getByLabel('Policy cluster selector').fill('env=prod');
  await page.getByLabel('Approvals').fill('1');
  await page.getByRole('combobox', { name: 'Policy signed by (security officer)' }).click();
  await page.getByRole('option', { name: 'olivia' }).click();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByRole('table', { name: 'Approval policies' })).toContainText('env=prod');
  await shot(page, testInfo.outputPath('4-trust.png'), true);
  await page.getByRole('combobox', { name: 'Acting as' }).click();
  await page.getByRole('option', { name: /olivia/ }).click();

  // Publish on the prod cluster again: the plan needs rita's approval.
  await goToPage(page, 'Apps');
  await page.getByRole('button', { name: 'Open app billing' }).click();
  const sw = page.getByRole('switch', { name: `Published to ${two.contexts.admin}` });
  await expect(sw).toBeEnabled({ timeout: 60_000 });
  await sw.focus();
  await page.keyboard.press('Space');
  await expect(sw).toBeChecked({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Open the plan' }).first().click();
  const panel = page.getByTestId('plan-panel');
  await expect(panel.getByTestId('policy-prod')).toContainText('0 of 1');
  await panel.getByRole('button', { name: 'Execute' }).click();
  await expect(panel.getByRole('alert').filter({ hasText: 'Not executed' })).toContainText(/approv/i);
  expect((await clusterApi(two, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials')).status).toBe(404);
  await shot(page, testInfo.outputPath('4-refused.png'), true);

  await panel.getByRole('combobox', { name: 'Approve as' }).click();
  await page.getByRole('option', { name: 'rita' }).click();
  await panel.getByRole('button', { name: 'Approve' }).click();
  await expect(panel.getByTestId('policy-prod')).toContainText('1 of 1');
  await executeOpenPlan(page);
  expect((await clusterApi(two, 'GET', '/api/v1/namespaces/billing/secrets/db-credentials')).status).toBe(200);
  await shot(page, testInfo.outputPath('4-approved-executed.png'), true);
});

test('audit: the day is on the Audit page and the chain verifies', async ({ page }, testInfo) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(served.url);
  await goToPage(page, 'Audit');
  const table = page.getByRole('table', { name: 'Audit entries' });
  const actions = (await rpc(served, 'audit.list', {})).map((e) => e.action);
  const wanted = [
    'recipient.add',
    'app.create',
    'version.write',
    ...actions.filter((a) => a.startsWith('rollout.') || a.startsWith('plan.') || a.includes('approv')),
  ];
  expect(actions.some((a) => a.includes('approv'))).toBe(true);
  expect(actions.some((a) => /execute|rollout/.test(a))).toBe(true);
  for (const action of new Set(wanted)) {
    await page.getByRole('combobox', { name: 'Action' }).fill(action);
    await page.getByRole('option', { name: action, exact: true }).click();
    await expect(table).toContainText(action);
  }
  await page.getByRole('combobox', { name: 'Action' }).fill('');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByTestId('verify-result')).toContainText(/verif|intact|pass/i);
  await expect(page.locator('body')).not.toContainText(DB_PASSWORD);
  await expectAccessible(page);
  await shot(page, testInfo.outputPath('5-audit.png'), true);
});
