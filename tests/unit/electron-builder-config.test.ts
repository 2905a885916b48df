// Validates electron-builder.yml against electron-builder's own configuration schema.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const config = parse(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Record<string, any>;

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would be caught by the schema if it were wrong (the check is real)', async () => {
    await expect(validateConfiguration({ ...structuredClone(config), asarUnpackk: ['typo'] }, new DebugLogger(false))).rejects.toThrow();
  });

  it('targets AppImage, deb, dmg and nsis, and unpacks the native modules', () => {
    expect(config.appId).toBe('dev.tessera.desktop');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/pkcs11js/**', '**/node_modules/keytar/**']));
  });
});
