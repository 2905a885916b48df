// `npx tessera` and bin/tessera.js started by the machine's older Node (20 here): the answer
// comes without npm's EBADENGINE warnings, from the project's Node 24 that bin/tessera.js re-runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SYSTEM_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p));
const systemMajor = SYSTEM_NODE ? Number(spawnSync(SYSTEM_NODE, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) : NaN;
const skipReason = !SYSTEM_NODE
  ? 'no system Node.js next to the project’s Node 24'
  : systemMajor >= 24
    ? `the system Node is ${systemMajor}, not older than 24`
    : null;
if (skipReason) console.warn(`[older-node.test] skipped: ${skipReason}`);

/** PATH with the project's node_modules/.bin removed, as a shell outside npm sees it. */
const plainPath = (process.env.PATH ?? '')
  .split(':')
  .filter((p) => !p.includes('node_modules'))
  .join(':');

describe.skipIf(skipReason !== null)('tessera under an older Node', () => {
  it('bin/tessera.js run by the older Node re-runs itself with the project’s Node 24 and answers', () => {
    const r = spawnSync(SYSTEM_NODE!, ['bin/tessera.js', 'info', '--json', '--data-dir', '/nonexistent/not-created'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: plainPath },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Tessera' });
  });

  it('npx tessera under the older Node prints no EBADENGINE warning', () => {
    const npx = ['/usr/bin/npx', '/usr/local/bin/npx'].find((p) => existsSync(p));
    if (!npx) return expect.soft(npx, 'no system npx').toBeUndefined();
    const r = spawnSync(npx, ['tessera', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${SYSTEM_NODE!.replace(/\/node$/u, '')}:${plainPath}` },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/EBADENGINE|Unsupported engine/u);
    expect(r.stdout).toMatch(/^Usage: tessera <command>/u);
  });
});
