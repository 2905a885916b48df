import { describe, expect, it } from 'vitest';
import { deepLinkInArgs, parseDeepLink, routeFor } from './deep-link.ts';

const hash = 'ab'.repeat(32);

describe('tessera:// links', () => {
  it('opens a plan by its hash, on the Rollouts page', () => {
    expect(parseDeepLink(`tessera://plan/${hash}`)).toEqual({ kind: 'plan', hash });
    expect(parseDeepLink(`tessera://plan/${hash}/`)).toEqual({ kind: 'plan', hash });
    expect(parseDeepLink(`tessera://plan/${hash.toUpperCase()}`)).toEqual({ kind: 'plan', hash });
    expect(parseDeepLink(`tessera:plan/${hash}`)).toEqual({ kind: 'plan', hash });
    expect(routeFor({ kind: 'plan', hash })).toBe(`/rollouts/${hash}`);
  });

  it('ignores anything else', () => {
    for (const url of [
      `tessera://plan/${hash.slice(1)}`,
      `tessera://plan/${hash}0`,
      'tessera://plan/../../settings',
      `tessera://plan/${hash}/extra`,
      `tessera://app/${hash}`,
      `tessera://user@plan/${hash}`,
      `tessera://plan:8080/${hash}`,
      `https://plan/${hash}`,
      'tessera://plan/',
      'garbage',
    ])
      expect(parseDeepLink(url), url).toBeNull();
  });

  it('finds the link among command-line arguments (Windows, Linux)', () => {
    expect(deepLinkInArgs(['/opt/Tessera/tessera', '--no-sandbox', `tessera://plan/${hash}`])).toEqual({ kind: 'plan', hash });
    expect(deepLinkInArgs(['/opt/Tessera/tessera', 'tessera://nothing', `TESSERA://plan/${hash}`])).toEqual({ kind: 'plan', hash });
    expect(deepLinkInArgs(['/opt/Tessera/tessera', '--flag=tessera://plan/x'])).toBeNull();
  });
});
