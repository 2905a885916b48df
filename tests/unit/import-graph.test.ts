// The import check that npm test runs over electron/core: it must find a cycle and an import
// against the layers when one exists, and find none in the code as it is.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findCycles, importGraph, importProblems, upwardImports } from '../../scripts/import-graph.ts';

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-imports-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('import graph check', () => {
  it('finds no cycle and no upward import in electron/core', () => {
    expect(importProblems('electron/core')).toEqual([]);
  });

  it('finds a cycle made of type-only imports through an index file', () => {
    const dir = tree({
      'services.ts': "import type { Vault } from './vault/index.ts';\nexport interface Services { vault(): Vault }\n",
      'vault/index.ts': "export { createVault, type Vault } from './create.ts';\n",
      'vault/create.ts':
        "import type { Services } from '../services.ts';\nexport interface Vault { n: number }\nexport function createVault(_s: Services): Vault { return { n: 1 }; }\n",
      'store/db.ts': 'export const db = 1;\n',
    });
    const cycles = findCycles(importGraph(dir));
    expect(cycles).toEqual([['services.ts', 'vault/create.ts', 'vault/index.ts']]);
    expect(importProblems(dir).some((p) => p.startsWith('import cycle through 3 file(s)'))).toBe(true);
  });

  it('finds a file importing itself and a two-file cycle inside one layer', () => {
    expect(
      findCycles(
        new Map([
          ['a.ts', ['a.ts']],
          ['hsm/x.ts', ['hsm/y.ts']],
          ['hsm/y.ts', ['hsm/x.ts']],
        ]),
      ),
    ).toEqual([['a.ts'], ['hsm/x.ts', 'hsm/y.ts']]);
  });

  it('flags an import against the layer direction, such as kube reaching into the vault from below', () => {
    expect(
      upwardImports(
        new Map([
          ['vault/vault-service.ts', ['kube/types.ts', 'store/apps.ts']],
          ['rollout/planner.ts', ['kube/index.ts']],
        ]),
      ),
    ).toEqual(['vault/vault-service.ts → kube/types.ts']);
  });

  it('exits non-zero and names the files when run on a tree with a cycle', () => {
    const dir = tree({ 'kube/a.ts': "import { b } from './b.ts';\nexport const a = b;\n", 'kube/b.ts': "import { a } from './a.ts';\nexport const b = a;\n" });
    const run = spawnSync(process.execPath, ['scripts/import-graph.ts', dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('import cycle through 2 file(s): kube/a.ts, kube/b.ts');
  });
});
