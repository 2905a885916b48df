// The signed vault through the `tessera` CLI, as child processes against SoftHSM2: an old
// (unsigned) vault made in the explicit demo, then a security officer bootstraps, reviews and
// adopts it; recipients need --signer, versions --as, reveal a role; every command has --json
// and its --help names the role.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { tempDir } from './helpers.ts';

const skipReason = softHsmSkipReason();
const BIN = fileURLToPath(new URL('../../../bin/tessera.js', import.meta.url));
const PIN = '729183-cli-trust';
let hsm: SoftHsm;
let data: ReturnType<typeof tempDir>;

function tessera(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', data.dir], {
    env: { ...hsm.env, TESSERA_ACTOR: 'cli-user', VAULT_PIN: PIN, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const token = ['--token', 'cli-trust', '--pin-env', 'VAULT_PIN'];
function ok(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = tessera(args, env);
  expect(r.code, `${args.join(' ')}\n${r.err}`).toBe(0);
  return r;
}

describe.skipIf(skipReason !== null)('tessera trust commands', () => {
  beforeAll(() => {
    hsm = createSoftHsm([{ label: 'cli-trust', pin: PIN, soPin: '564738-trust-so' }]);
    data = tempDir('tessera-cli-trust-');
    writeFileSync(join(data.dir, 'settings.json'), JSON.stringify({ pkcs11Modules: [hsm.module] }));
  });
  afterAll(() => {
    hsm?.cleanup();
    data?.cleanup();
  });

  it('an old unsigned vault (made in the demo) is readable with a token, but nothing is written to it until a security officer exists', () => {
    const demo = { TESSERA_UNSIGNED_DEMO: '1' };
    ok(['key', 'create', '--type', 'ec-p256', '--label', 'kek', ...token]);
    ok(['key', 'create', '--type', 'ec-p256', '--label', 'sofia-sign', ...token]);
    expect(JSON.parse(ok(['trust', 'status', '--json'], demo).out)).toMatchObject({ mode: 'unsigned-demo', bootstrapped: false });
    expect(ok(['trust', 'status'], demo).out).toMatch(/UNSIGNED DEMO/u);
    ok(['recipient', 'add', '--key', 'kek', ...token], demo);
    ok(['app', 'create', '--name', 'shop', '--namespace', 'shop'], demo);
    ok(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-literal', 'PASSWORD=old-value', ...token], demo);
    // Without the demo switch the same vault is old and unsigned.
    expect(JSON.parse(ok(['trust', 'status', '--json']).out)).toMatchObject({ mode: 'legacy' });
    const write = tessera(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-literal', 'PASSWORD=x', ...token]);
    expect(write.code).toBe(1);
    expect(write.err).toMatch(/FORBIDDEN: .*no security officer yet.*tessera principal bootstrap/u);
    expect(JSON.parse(ok(['secret', 'reveal', '--app', 'shop', '--name', 'db', ...token, '--json']).out)).toMatchObject({ integrity: 'unsigned' });
  });

  it('a security officer bootstraps, reviews and adopts the old vault once; recipients then need a signer', () => {
    ok(['principal', 'bootstrap', '--name', 'sofia', '--key', 'sofia-sign', ...token]);
    const review = JSON.parse(ok(['trust', 'adopt', '--json']).out);
    expect(review).toMatchObject({ adopted: false, recipients: [{ label: 'kek', problem: null }], versions: [{ app: 'shop', secret: 'db', number: 1 }] });
    expect(ok(['trust', 'adopt']).out).toMatch(/1 recipient\(s\) and 1 version\(s\) are unsigned/u);
    const adopted = JSON.parse(ok(['trust', 'adopt', '--yes', '--signer', 'sofia', ...token, '--json']).out);
    expect(adopted.adopted.versions).toHaveLength(1);
    expect(adopted.remaining).toMatchObject({ adopted: true, recipients: [], versions: [] });
    expect(JSON.parse(ok(['trust', 'status', '--json']).out)).toMatchObject({ mode: 'signed', adopted: true, ok: true });
    const listed = JSON.parse(ok(['recipient', 'list', '--json']).out);
    expect(listed[0]).toMatchObject({ label: 'kek', signedBy: 'sofia', consistent: true });
    const pem = join(data.dir, 'other.pem');
    writeFileSync(pem, JSON.parse(ok(['key', 'create', '--type', 'ec-p256', '--label', 'other', ...token, '--json']).out).publicKeyPem);
    const unsigned = tessera(['recipient', 'add', '--public-key', pem, '--label', 'other']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.err).toMatch(/FORBIDDEN: .*security-officer/u);
    expect(JSON.parse(ok(['recipient', 'add', '--public-key', pem, '--label', 'other', '--signer', 'sofia', ...token, '--json']).out)).toMatchObject({
      signedBy: 'sofia',
    });
  });

  it('versions are signed by their author, reveal needs a role, owners are signed; --help names the role', () => {
    ok(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-literal', 'PASSWORD=new-value', '--as', 'sofia', ...token]);
    const versions = JSON.parse(ok(['secret', 'versions', '--app', 'shop', '--name', 'db', '--json']).out);
    expect(versions.map((v: { integrity: string; signedBy: string }) => [v.integrity, v.signedBy])).toEqual([
      ['signed', 'sofia'],
      ['adopted', 'sofia'],
    ]);
    const noRole = tessera(['secret', 'reveal', '--app', 'shop', '--name', 'db', ...token]);
    expect(noRole.code).toBe(1);
    expect(noRole.err).toMatch(/FORBIDDEN: .*app-owner of "shop" or security-officer/u);
    expect(JSON.parse(ok(['secret', 'reveal', '--app', 'shop', '--name', 'db', '--as', 'sofia', ...token, '--json']).out).values).toEqual([
      { name: 'PASSWORD', value: 'new-value', encoding: 'utf8' },
    ]);
    expect(JSON.parse(ok(['trust', 'owners', '--app', 'shop', '--owners', 'sofia', '--signer', 'sofia', ...token, '--json']).out)).toMatchObject({
      app: 'shop',
      owners: ['sofia'],
      signedBy: 'sofia',
    });
    for (const [command, role] of [
      [['trust', 'adopt'], /security-officer/u],
      [['trust', 'owners'], /security-officer/u],
      [['recipient', 'add'], /security-officer/u],
      [['recipient', 'retire'], /security-officer/u],
      [['rewrap'], /security-officer/u],
      [['secret', 'reveal'], /app-owner of the app or security-officer/u],
      [['secret', 'set'], /app-owner of the app or security-officer/u],
    ] as const) {
      const help = ok([...command, '--help']).out;
      expect(help, command.join(' ')).toMatch(role);
      expect(help, command.join(' ')).toMatch(/--json/u);
    }
  });
});
