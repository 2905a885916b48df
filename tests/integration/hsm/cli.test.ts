// The token and key commands of the `tessera` CLI, run as child processes against SoftHSM2.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';

const skipReason = softHsmSkipReason();
const BIN = fileURLToPath(new URL('../../../bin/tessera.js', import.meta.url));
const PIN = '559013-cli-pin';
let hsm: SoftHsm;
let dataDir: string;

function tessera(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir, '--module', hsm.module], {
    env: { ...hsm.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.skipIf(skipReason !== null)('tessera token / key commands', () => {
  beforeAll(() => {
    hsm = createSoftHsm([{ label: 'cli-token', pin: PIN, soPin: '991234-cli-so' }]);
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  });
  afterAll(() => {
    hsm?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists tokens as JSON and as a table', () => {
    const json = tessera(['token', 'list', '--json']);
    expect(json.code).toBe(0);
    const modules = JSON.parse(json.out);
    expect(modules[0].slots.some((s: { token: { label: string } | null }) => s.token?.label === 'cli-token')).toBe(true);
    const text = tessera(['token', 'list']);
    expect(text.out).toMatch(/cli-token\s+\S+\s+SoftHSM v2\s+locked/u);
  });

  it('refuses to unlock without a PIN source and never takes one from an argument', () => {
    const r = tessera(['key', 'list', '--token', 'cli-token']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/INVALID_INPUT.*--pin-env/u);
    expect(tessera(['key', 'list', '--token', 'cli-token', '--pin', PIN]).code).toBe(2);
  });

  it('creates a key and lists it, with the PIN from --pin-env', () => {
    const created = tessera(['key', 'create', '--token', 'cli-token', '--type', 'ec-p256', '--label', 'cli-ec', '--pin-env', 'TESSERA_TEST_PIN', '--json'], {
      TESSERA_TEST_PIN: PIN,
    });
    expect(created.code, created.err).toBe(0);
    const key = JSON.parse(created.out);
    expect(key).toMatchObject({ label: 'cli-ec', type: 'ec', curve: 'P-256', extractable: false, sensitive: true });
    const listed = tessera(['key', 'list', '--token', 'cli-token', '--pin-env', 'TESSERA_TEST_PIN'], { TESSERA_TEST_PIN: PIN });
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain('cli-ec');
    expect(listed.out).toContain(key.keyId);
    const wrong = tessera(['key', 'list', '--token', 'cli-token', '--pin-env', 'TESSERA_TEST_PIN', '--json'], { TESSERA_TEST_PIN: '000000' });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.out).error.code).toBe('PIN_INCORRECT');
    expect(`${wrong.out}${wrong.err}${listed.err}${created.err}`).not.toContain(PIN);
  });

  it('rejects an unknown key type', () => {
    const r = tessera(['key', 'create', '--token', 'cli-token', '--type', 'dsa-1024', '--label', 'x', '--pin-env', 'P'], { P: PIN });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--type must be one of/u);
  });
});
