// The vault commands of the `tessera` CLI as child processes against SoftHSM2: recipients,
// apps, secrets from literals/.env/manifest, versions, reveal with a PIN from --pin-env,
// rewrap, audit verify/export (non-zero on a broken chain) and config export/import.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { rawDb, tempDir } from './helpers.ts';

const skipReason = softHsmSkipReason();
const BIN = fileURLToPath(new URL('../../../bin/tessera.js', import.meta.url));
const PIN = '918273-cli-vault';
let hsm: SoftHsm;
let data: ReturnType<typeof tempDir>;

function tessera(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', data.dir], {
    // The command plumbing is tested in the explicit unsigned demo; trust-cli.test.ts runs the signed commands.
    env: { ...hsm.env, TESSERA_ACTOR: 'cli-user', VAULT_PIN: PIN, TESSERA_UNSIGNED_DEMO: '1', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const token = ['--token', 'cli-vault', '--pin-env', 'VAULT_PIN'];
function ok(args: string[]) {
  const r = tessera(args);
  expect(r.code, `${args.join(' ')}\n${r.err}`).toBe(0);
  return r;
}

describe.skipIf(skipReason !== null)('tessera vault commands', () => {
  beforeAll(() => {
    hsm = createSoftHsm([{ label: 'cli-vault', pin: PIN, soPin: '564738-cli-so' }]);
    data = tempDir('tessera-cli-vault-');
    writeFileSync(join(data.dir, 'settings.json'), JSON.stringify({ pkcs11Modules: [hsm.module] }));
  });
  afterAll(() => {
    hsm?.cleanup();
    data?.cleanup();
  });

  it('does not open the database for `tessera info`', () => {
    ok(['info', '--json']);
    expect(spawnSync('ls', [data.dir], { encoding: 'utf8' }).stdout).not.toMatch(/tessera\.db/u);
  });

  it('adds a token key and a public-key file as recipients', () => {
    ok(['key', 'create', '--type', 'ec-p256', '--label', 'kek', ...token]);
    const rsa = JSON.parse(ok(['key', 'create', '--type', 'rsa-3072', '--label', 'kek-rsa', ...token, '--json']).out) as { publicKeyPem: string };
    const added = JSON.parse(ok(['recipient', 'add', '--key', 'kek', ...token, '--json']).out);
    expect(added).toMatchObject({ kind: 'ecdh-es', label: 'kek', status: 'active' });
    const pem = join(data.dir, 'rsa.pem');
    writeFileSync(pem, rsa.publicKeyPem);
    const fromPem = JSON.parse(ok(['recipient', 'add', '--public-key', pem, '--label', 'rsa-file', '--oaep-hash', 'sha1', '--json']).out);
    expect(fromPem).toMatchObject({ kind: 'rsa-oaep', tokenSerial: null });
    expect(ok(['recipient', 'list']).out).toMatch(/kek\s+ecdh-es\s+active/u);
  });

  it('creates an app and writes versions from literals, a .env file and a manifest without a token', () => {
    ok(['app', 'create', '--name', 'shop', '--namespace', 'shop', '--selector', 'env=prod']);
    expect(ok(['app', 'list']).out).toMatch(/shop\s+shop\s+0\s+env=prod/u);
    expect(ok(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-literal', 'USER=shop', '--from-literal', 'PASSWORD=cli-pass']).out).toMatch(
      /version 1 of "db"/u,
    );
    const envFile = join(data.dir, 'db.env');
    writeFileSync(envFile, 'USER=shop\nPASSWORD="from env file"\nPORT=5432\n');
    ok(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-env-file', envFile]);
    const manifest = join(data.dir, 'tls.yaml');
    writeFileSync(manifest, `apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ndata:\n  tls.key: ${Buffer.from('key-bytes').toString('base64')}\n`);
    ok(['secret', 'set', '--app', 'shop', '--name', 'tls', '--delivery', 'volume', '--mount-path', '/etc/tls', '--from-manifest', manifest]);
    const versions = ok(['secret', 'versions', '--app', 'shop', '--name', 'db']).out;
    expect(versions).toMatch(/2\s+cli-user\s+\S+\s+env-file\s+PASSWORD,PORT,USER\s+\+PORT/u);
    expect(ok(['app', 'show', '--name', 'shop']).out).toMatch(/tls\s+volume \/etc\/tls\s+tls\.key\s+1/u);
    const bad = tessera(['secret', 'set', '--app', 'shop', '--name', 'db', '--from-literal', 'BAD-NAME=x']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/INVALID_INPUT: "keys\.0\.name": must be an environment variable name/u);
  });

  it('reveals only with a token, and audits it', () => {
    const noToken = tessera(['secret', 'reveal', '--app', 'shop', '--name', 'db']);
    expect(noToken.code).toBe(1);
    const r = JSON.parse(ok(['secret', 'reveal', '--app', 'shop', '--name', 'db', '--version', '1', ...token, '--json']).out);
    expect(r.values).toEqual([
      { name: 'PASSWORD', value: 'cli-pass', encoding: 'utf8' },
      { name: 'USER', value: 'shop', encoding: 'utf8' },
    ]);
    expect(ok(['secret', 'reveal', '--app', 'shop', '--name', 'db', ...token]).out).toMatch(/PASSWORD\s+from env file/u);
  });

  it('retires a recipient and rewraps', () => {
    const list = JSON.parse(ok(['recipient', 'list', '--json']).out) as { fingerprint: string; label: string }[];
    const rsa = list.find((r) => r.label === 'rsa-file')!;
    ok(['recipient', 'retire', rsa.fingerprint.slice(0, 12)]);
    const result = JSON.parse(ok(['rewrap', ...token, '--json']).out);
    expect(result).toMatchObject({ rewrapped: 3, pending: 0 });
    expect(JSON.parse(ok(['recipient', 'list', '--json']).out).find((r: { label: string }) => r.label === 'rsa-file').versionsWrapped).toBe(0);
  });

  it('exports the audit log and verifies it; exits non-zero once it is broken', () => {
    expect(ok(['audit', 'verify']).out).toMatch(/intact/u);
    const out = join(data.dir, 'audit.jsonl');
    ok(['audit', 'export', '--out', out]);
    const db = rawDb(data.dir);
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;");
    db.close();
    const broken = tessera(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/broken at entry 2/u);
  });

  it('exports and imports the configuration, with --dry-run', () => {
    const file = join(data.dir, 'tessera.yaml');
    ok(['config', 'export', '--out', file]);
    const other = tempDir('tessera-cli-config-');
    try {
      const dry = spawnSync(process.execPath, [BIN, 'config', 'import', file, '--dry-run', '--data-dir', other.dir], { encoding: 'utf8' });
      expect(dry.status, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/create\s+app\s+shop/u);
      expect(dry.stdout).toMatch(/dry run/u);
      const real = spawnSync(process.execPath, [BIN, 'config', 'import', file, '--data-dir', other.dir], { encoding: 'utf8' });
      expect(real.status, real.stderr).toBe(0);
      const again = spawnSync(process.execPath, [BIN, 'config', 'export', '--data-dir', other.dir], { encoding: 'utf8' });
      expect(again.stdout).toBe(ok(['config', 'export']).out);
    } finally {
      other.cleanup();
    }
  });

  it('takes values from files and standard input, so they never show in the process list', () => {
    const cert = join(data.dir, 'cert.pem');
    writeFileSync(cert, 'line one\nline two\n');
    const binary = join(data.dir, 'key.der');
    writeFileSync(binary, Buffer.from([0x30, 0x82, 0xff, 0x00, 0xfe]));
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'secret',
        'set',
        '--app',
        'shop',
        '--name',
        'files',
        '--from-file',
        `CERT=${cert}`,
        '--from-file',
        `KEY=${binary}`,
        '--from-stdin',
        'TOKEN',
        '--data-dir',
        data.dir,
      ],
      { env: { ...hsm.env, TESSERA_ACTOR: 'cli-user', TESSERA_UNSIGNED_DEMO: '1' }, input: 'from-stdin-value', encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const revealed = JSON.parse(ok(['secret', 'reveal', '--app', 'shop', '--name', 'files', ...token, '--json']).out);
    expect(revealed.values).toEqual([
      { name: 'CERT', value: 'line one\nline two\n', encoding: 'utf8' },
      { name: 'KEY', value: Buffer.from([0x30, 0x82, 0xff, 0x00, 0xfe]).toString('base64'), encoding: 'base64' },
      { name: 'TOKEN', value: 'from-stdin-value', encoding: 'utf8' },
    ]);
    const twice = tessera(['secret', 'set', '--app', 'shop', '--name', 'files', '--from-file', `CERT=${cert}`, '--from-literal', 'CERT=x']);
    expect(twice.err).toMatch(/Key "CERT" is given more than once/u);
    const missing = tessera(['secret', 'set', '--app', 'shop', '--name', 'files', '--from-file', `CERT=${join(data.dir, 'nope')}`]);
    expect(missing.err).toMatch(/NOT_FOUND: Cannot read the file .*nope" given for key "CERT" \(ENOENT\)/u);
  });

  it('warns in --help that --from-literal shows values in the process list', () => {
    const help = ok(['secret', 'set', '--help']).out;
    expect(help).toMatch(/--from-literal puts the value in the process list/u);
    expect(help).toMatch(/--from-file KEY=PATH/u);
    expect(help).toMatch(/--from-stdin KEY/u);
  });
});
