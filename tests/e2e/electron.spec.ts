// Smoke test of the real Electron shell. Runs where the Electron binary is installed; on
// machines where it could not be downloaded (CI here) it is reported skipped with that reason.
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The installed Electron executable, found without triggering electron's download-on-require. */
function electronBinary(): string | null {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

const binary = electronBinary();
const root = fileURLToPath(new URL('../..', import.meta.url));

test('the Electron shell opens the desk with the IPC transport', async () => {
  test.skip(binary === null, 'The Electron binary is not installed here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download was not possible).');
  const app = await electron.launch({
    executablePath: binary!,
    args: [root, '--no-sandbox'],
    env: { ...process.env, TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-electron-')) },
  });
  const window = await app.firstWindow();
  await expect(window.getByTestId('backend-status')).toHaveText('Backend connected');
  // Served from the privileged app:// scheme (with the CSP as a response header), not file://.
  const page = new URL(window.url());
  expect(`${page.protocol}//${page.host}${page.pathname}`).toBe('app://tessera/index.html');
  // No Node in the page: context isolation and no node integration.
  expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  expect(await window.evaluate(() => Object.keys((window as unknown as { tessera: object }).tessera).sort())).toEqual(['invoke', 'subscribe']);
  await app.close();
});
