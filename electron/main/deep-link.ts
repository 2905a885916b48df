// tessera:// links, so a release manager can open an approval request from a chat message:
// tessera://plan/<sha-256 hex> opens the Rollouts page on that plan. Anything else is ignored.
export const DEEP_LINK_SCHEME = 'tessera';

export type DeepLink = { kind: 'plan'; hash: string };

/** The link in `url`, or null when it is not one Tessera understands. */
export function parseDeepLink(url: string): DeepLink | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${DEEP_LINK_SCHEME}:` || u.username || u.password || u.port) return null;
  // tessera://plan/<hash> parses as host "plan", path "/<hash>"; tessera:plan/<hash> as a path only.
  const parts = `${u.host}${u.pathname}`.replace(/^\/+/u, '').replace(/\/+$/u, '').split('/');
  if (parts.length !== 2 || parts[0] !== 'plan') return null;
  const hash = parts[1]!.toLowerCase();
  return /^[0-9a-f]{64}$/u.test(hash) ? { kind: 'plan', hash } : null;
}

/** The first deep link among command-line arguments (Windows and Linux pass the link that way). */
export function deepLinkInArgs(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseDeepLink(arg);
    if (link) return link;
  }
  return null;
}

/** The renderer's hash route for a link (renderer/src/app/routes.ts: #/rollouts/<plan hash>). */
export function routeFor(link: DeepLink): string {
  return `/rollouts/${link.hash}`;
}
