import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/domain/csp.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileFor, appPageUrl, appResponseHeaders, isAppPage, isExternalLink } from './app-url.ts';

const dir = join('/opt', 'Tessera', 'resources', 'app.asar', 'dist', 'renderer');

describe('the app:// scheme', () => {
  it('is registered as privileged: standard and secure, never bypassing the CSP', () => {
    expect(APP_SCHEME).toBe('app');
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('allowServiceWorkers');
  });

  it('is registered before the app is ready and serves the renderer (main.ts and window.ts wire it)', () => {
    const main = readFileSync(new URL('./main.ts', import.meta.url), 'utf8');
    const window = readFileSync(new URL('./window.ts', import.meta.url), 'utf8');
    expect(main.indexOf('registerAppScheme();')).toBeGreaterThan(-1);
    expect(main.indexOf('registerAppScheme();')).toBeLessThan(main.indexOf('app.whenReady()'));
    expect(main).toContain('serveRenderer(paths.rendererDir)');
    expect(window).toContain('protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }])');
    expect(window).toContain('headers: appResponseHeaders(file)');
    expect(window).not.toContain('loadFile(');
  });

  it('sends the CSP as a response header with every file', () => {
    for (const file of ['index.html', 'assets/index.js', 'assets/index.css']) {
      const headers = appResponseHeaders(file);
      expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
    expect(appResponseHeaders('index.html')['content-type']).toBe('text/html; charset=utf-8');
  });

  it('loads the page with the IPC transport and an optional route', () => {
    expect(appPageUrl()).toBe('app://tessera/index.html?transport=ipc');
    expect(appPageUrl(`/rollouts/${'a'.repeat(64)}`)).toBe(`app://tessera/index.html?transport=ipc#/rollouts/${'a'.repeat(64)}`);
  });
});

describe('isAppPage (IPC sender and navigation checks)', () => {
  it("accepts Tessera's own page with any query or hash", () => {
    expect(isAppPage('app://tessera/index.html')).toBe(true);
    expect(isAppPage('app://tessera/index.html?transport=ipc#/matrix')).toBe(true);
  });

  it('refuses sibling files, other hosts and schemes, credentials, and look-alike prefixes', () => {
    for (const url of [
      'app://tessera/index.html.evil.html',
      'app://tessera/assets/index.html',
      'app://tessera/',
      'app://tessera.evil/index.html',
      'app://evil/index.html',
      'app://user:pw@tessera/index.html',
      'file:///opt/Tessera/resources/app.asar/dist/renderer/index.html',
      'file:///C:/Program%20Files/Tessera/resources/app.asar/dist/renderer/index.html',
      'https://tessera/index.html',
      'javascript:alert(1)',
      'not a url',
      '',
    ])
      expect(isAppPage(url), url).toBe(false);
  });

  it('opens only https links outside', () => {
    expect(isExternalLink('https://kubernetes.io/docs/')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://u:p@example.com', 'smb://host/share'])
      expect(isExternalLink(url), url).toBe(false);
  });
});

describe('appFileFor', () => {
  it('maps app://tessera/<path> to the file in the renderer folder, / to index.html', () => {
    expect(appFileFor('app://tessera/', dir)).toBe(join(dir, 'index.html'));
    expect(appFileFor('app://tessera/index.html?transport=ipc#/x', dir)).toBe(join(dir, 'index.html'));
    expect(appFileFor('app://tessera/assets/index-abc.js', dir)).toBe(join(dir, 'assets', 'index-abc.js'));
  });

  it('refuses paths out of the folder, other hosts and unknown file types', () => {
    for (const url of [
      'app://tessera/assets/..%2f..%2fmain.cjs',
      'app://tessera/assets/%5c..%5c..%5cmain.js',
      'app://tessera/index.html%00.js',
      'app://tessera/%E0%A4%A',
      'app://other/index.html',
      'https://tessera/index.html',
      'app://tessera/secrets.db',
    ])
      expect(appFileFor(url, dir), url).toBeNull();
  });

  it('keeps dot segments inside the folder (the URL parser resolves them at the root)', () => {
    expect(appFileFor('app://tessera/../../../etc/passwd.js', dir)).toBe(join(dir, 'etc', 'passwd.js'));
    expect(appFileFor('app://tessera/%2e%2e/%2e%2e/package.json', dir)).toBe(join(dir, 'package.json'));
  });
});
