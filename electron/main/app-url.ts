// The renderer's address in the Electron shell: a privileged custom protocol, app://tessera/,
// instead of file:// (where a CSP response header does not apply and every local file shares
// one origin). URL checks parse the URL and compare scheme, host and path exactly; a string
// prefix would match sibling files and break on Windows paths.
import { join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/domain/csp.ts';
import { rendererContentType } from '../../shared/domain/content-types.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tessera';
export const APP_PAGE_PATH = '/index.html';

/**
 * How the scheme is registered (protocol.registerSchemesAsPrivileged, before 'ready'): standard,
 * so it has an origin of its own and relative URLs resolve; secure, like https; fetch and CORS
 * mode for Vite's module scripts. Not bypassCSP, not service workers.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } as const;

/** The URL the window loads; `route` is the renderer's hash route, e.g. "/rollouts/<hash>". */
export function appPageUrl(route?: string): string {
  const url = new URL(`${APP_SCHEME}://${APP_HOST}${APP_PAGE_PATH}`);
  url.searchParams.set('transport', 'ipc');
  if (route) url.hash = route;
  return url.href;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` is Tessera's own page (any query or hash): the only page that may call IPC or be navigated to. */
export function isAppPage(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.pathname === APP_PAGE_PATH;
}

/** Whether `url` may be opened in the user's browser (only https links, e.g. to documentation). */
export function isExternalLink(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === 'https:' && u.username === '' && u.password === '';
}

/**
 * The file under `rendererDir` that an app:// request names, or null: another host, a path that
 * climbs out of the folder (also percent-encoded or with backslashes), or an unknown file type.
 */
export function appFileFor(url: string, rendererDir: string): string | null {
  const u = parse(url);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = APP_PAGE_PATH;
  if (path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const root = normalize(rendererDir);
  const file = normalize(join(root, ...segments));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return rendererContentType(file) ? file : null;
}

/** Headers of every app:// response: the CSP (as a header, which the page cannot weaken), type, no sniffing. */
export function appResponseHeaders(file: string): Record<string, string> {
  return {
    'content-type': rendererContentType(file) ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}
