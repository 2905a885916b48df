// Proves the lint rules enforce the layering: each deliberate violation below is reported.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('layering lint rules', () => {
  it('refuse core importing electron', async () => {
    expect(await ruleIds('electron/core/bad.ts', "import { app } from 'electron';\nexport const x = app;\n")).toContain('no-restricted-imports');
  });

  it('refuse core importing a host', async () => {
    expect(await ruleIds('electron/core/bad.ts', "import { startHost } from '../server/host.ts';\nexport const x = startHost;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('refuse shared importing a Node API or using Node and DOM globals', async () => {
    expect(await ruleIds('shared/domain/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds('shared/domain/bad.ts', 'export const x = process.env.HOME;\n')).toContain('no-restricted-globals');
    expect(await ruleIds('shared/domain/bad.ts', 'export const x = window.location;\n')).toContain('no-restricted-globals');
  });

  it('refuse the renderer importing electron code or Node APIs', async () => {
    expect(await ruleIds('renderer/src/bad.ts', "import { createCore } from '../../electron/core/index.ts';\nexport const x = createCore;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds('renderer/src/bad.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('accept the allowed directions', async () => {
    expect(await ruleIds('renderer/src/ok.ts', "import { channels } from '../../shared/contract/index.ts';\nexport const x = channels;\n")).toEqual([]);
    expect(await ruleIds('electron/core/ok.ts', "import { channels } from '../../shared/contract/index.ts';\nexport const x = channels;\n")).toEqual([]);
  });
});
