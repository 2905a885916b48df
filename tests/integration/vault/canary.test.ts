// No plaintext escapes: secrets holding unique canary strings go through every vault operation
// (write, import, rewrap, reveal, audit export, config export/import); then the database file,
// its -wal and -shm, the data dir, the temp dir and everything logged are searched for them.
// Also: importing from a manifest and a .env file, and config export → import round trip.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Core } from '../../../electron/core/index.ts';
import { memorySink, processSinks } from '../../../electron/core/log/logger.ts';
import type { ConfigImportResult, RevealedVersion, TokenKeyView, VersionView } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { bootstrapOfficer, dispatchCaller } from '../../support/officer.ts';
import { errorMessages, makeCore, refusal, tempDir, value } from './helpers.ts';

const skipReason = softHsmSkipReason();
const TOKEN = { label: 'canary', pin: '424242-canary', soPin: '737373-canary-so' };
const CANARIES = Array.from({ length: 4 }, (_, i) => `CANARY${i}x${randomBytes(12).toString('hex')}`);
const started = Date.now();

let hsm: SoftHsm;
let core: Core;
let data: ReturnType<typeof tempDir>;
let serial: string;
const sink = memorySink();

/** Every form a canary could take on disk or in a log. */
function forms(c: string): string[] {
  const b = Buffer.from(c);
  return [c, b.toString('base64'), b.toString('base64').slice(4, 24), b.toString('hex'), Buffer.from(c, 'utf16le').toString('latin1')];
}

function filesUnder(dir: string, since: number, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) filesUnder(path, since, out);
    else if (st.isFile() && st.mtimeMs >= since - 1000 && st.size < 64 * 1024 * 1024) out.push(path);
  }
  return out;
}

describe.skipIf(skipReason !== null)('plaintext never escapes', () => {
  beforeAll(async () => {
    processSinks.push(sink);
    hsm = createSoftHsm([TOKEN]);
    serial = hsm.tokens[0]!.serial;
    data = tempDir('tessera-canary-');
    core = makeCore(data.dir, hsm.module, { TESSERA_PRINCIPAL: 'officer' });
    await value(core, 'hsm.login', { tokenSerial: serial, pin: TOKEN.pin });
    // The security officer signs the recipients, the versions, the rewrap and each reveal.
    await bootstrapOfficer(dispatchCaller(core), serial, 'officer');
    const a = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type: 'ec-p256', label: 'a' });
    const b = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type: 'rsa-2048', label: 'b' });
    await value(core, 'vault.addRecipient', { tokenSerial: serial, keyId: a.keyId, label: 'a' });
    await value(core, 'vault.setCluster', { name: 'prod-eu', labels: { env: 'prod', region: 'eu' } });
    await value(core, 'vault.setCluster', { name: 'dev', labels: { env: 'dev' } });
    await value(core, 'vault.createApp', {
      name: 'checkout',
      namespace: 'shop',
      description: 'The checkout service',
      owners: ['team-shop'],
      targeting: { selector: 'env=prod,region in (eu,us)', include: ['dev'], exclude: [] },
    });
    await value(core, 'vault.defineSecret', {
      app: 'checkout',
      name: 'db',
      delivery: 'env',
      workload: { kind: 'Deployment', name: 'checkout', container: 'app' },
    });
    await value(core, 'vault.defineSecret', { app: 'checkout', name: 'tls', delivery: 'volume', mountPath: '/etc/tls', createNamespace: true });
    // write (literal), import (manifest and .env)
    await value(core, 'vault.writeVersion', { app: 'checkout', secret: 'db', values: [{ name: 'PASSWORD', value: CANARIES[0] }] });
    const manifest = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: Opaque\ndata:\n  tls.key: ${Buffer.from(CANARIES[1]!).toString('base64')}\nstringData:\n  tls.crt: "${CANARIES[2]}"\n`;
    await value<VersionView>(core, 'vault.importVersion', { app: 'checkout', secret: 'tls', format: 'manifest', text: manifest });
    await value<VersionView>(core, 'vault.importVersion', {
      app: 'checkout',
      secret: 'db',
      format: 'env',
      text: `# db\nexport PASSWORD="${CANARIES[3]}"\nUSER=checkout\n`,
    });
    // rewrap to a second recipient, reveal, audit export, config export
    await value(core, 'vault.addRecipient', { tokenSerial: serial, keyId: b.keyId, label: 'b' });
    await value(core, 'vault.rewrap', {});
    const revealed = await value<RevealedVersion>(core, 'vault.reveal', { app: 'checkout', secret: 'tls' });
    expect(Object.fromEntries(revealed.values.map((v) => [v.name, v.value]))).toEqual({ 'tls.key': CANARIES[1], 'tls.crt': CANARIES[2] });
    expect((await value<RevealedVersion>(core, 'vault.reveal', { app: 'checkout', secret: 'db', version: 1 })).values[0]!.value).toBe(CANARIES[0]);
    await value(core, 'audit.export', {});
    await value(core, 'config.export', {});
    // Errors about bad input name the line or key, never the value.
    await refusal(core, 'vault.importVersion', { app: 'checkout', secret: 'db', format: 'env', text: `PASSWORD="${CANARIES[0]}\n` });
    await refusal(core, 'vault.importVersion', { app: 'checkout', secret: 'db', format: 'manifest', text: `kind: Secret\ndata:\n  K: "${CANARIES[0]}!"\n` });
    await refusal(core, 'vault.importVersion', { app: 'checkout', secret: 'db', format: 'manifest', text: `kind: Secret\ndata: [${CANARIES[0]}\n` });
    await refusal(core, 'vault.writeVersion', { app: 'checkout', secret: 'db', values: [{ name: 'BAD NAME', value: CANARIES[0] }] });
  });

  afterAll(async () => {
    await core?.close();
    hsm?.cleanup();
    data?.cleanup();
    processSinks.splice(processSinks.indexOf(sink), 1);
  });

  it('imported the manifest (data and stringData) and the .env file', async () => {
    const versions = await value<VersionView[]>(core, 'vault.versions', { app: 'checkout', secret: 'db' });
    expect(versions[0]).toMatchObject({ number: 2, source: 'env-file', keyNames: ['PASSWORD', 'USER'], added: ['USER'] });
    const tls = await value<VersionView[]>(core, 'vault.versions', { app: 'checkout', secret: 'tls' });
    expect(tls[0]).toMatchObject({ source: 'manifest', keyNames: ['tls.crt', 'tls.key'] });
  });

  it('finds no canary in the database, its -wal and -shm, the data dir, the temp dir, the logs or error messages', async () => {
    core.services.vault().db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    const files = new Set([...filesUnder(data.dir, 0), ...filesUnder(tmpdir(), started)]);
    const db = join(data.dir, 'tessera.db');
    expect(files.has(db)).toBe(true);
    expect(files.has(`${db}-wal`)).toBe(true);
    expect(files.has(`${db}-shm`)).toBe(true);
    const logged = JSON.stringify(sink.records) + JSON.stringify(errorMessages);
    expect(sink.records.length).toBeGreaterThan(5);
    for (const canary of CANARIES) {
      for (const form of forms(canary)) {
        expect(logged.includes(form), `log holds ${form}`).toBe(false);
        for (const file of files) {
          if (file.includes('tessera-softhsm-')) continue; // token objects: keys, no values
          expect(readFileSync(file).includes(Buffer.from(form, 'latin1')), `${file} holds a canary`).toBe(false);
        }
      }
    }
  });

  it('exports the configuration without values, and importing it into an empty data dir reproduces it exactly', async () => {
    const { yaml } = await value<{ yaml: string }>(core, 'config.export', {});
    for (const c of CANARIES) expect(yaml).not.toContain(c);
    expect(yaml).toMatch(/keys:\n\s+- PASSWORD\n\s+- USER/u);
    expect(yaml).not.toMatch(/ciphertext|wrapped/u);
    const empty = tempDir('tessera-config-');
    const other = makeCore(empty.dir, null);
    try {
      const dry = await value<ConfigImportResult>(other, 'config.import', { yaml, dryRun: true });
      expect(dry.changes.map((c) => `${c.kind} ${c.what} ${c.name}`)).toEqual([
        'create cluster dev',
        'create cluster prod-eu',
        'create app checkout',
        'create secret checkout/db',
        'create secret checkout/tls',
      ]);
      expect(await value(other, 'vault.apps', {})).toEqual([]);
      await value(other, 'config.import', { yaml });
      const again = await value<{ yaml: string }>(other, 'config.export', {});
      expect(again.yaml).toBe(yaml);
      const second = await value<ConfigImportResult>(other, 'config.import', { yaml, dryRun: true });
      expect(second.changes.every((c) => c.kind === 'unchanged')).toBe(true);
      const changed = yaml.replace('namespace: shop', 'namespace: shop2');
      const plan = await value<ConfigImportResult>(other, 'config.import', { yaml: changed, dryRun: true });
      expect(plan.changes.find((c) => c.what === 'app')).toMatchObject({ kind: 'update', fields: ['namespace'] });
    } finally {
      await other.close();
      empty.cleanup();
    }
  });

  it('refuses unknown fields and invalid names in a configuration with the line they are on', async () => {
    const { yaml } = await value<{ yaml: string }>(core, 'config.export', {});
    const unknown = yaml.replace('    namespace: shop\n', '    namespace: shop\n    colour: blue\n');
    const e1 = await refusal(core, 'config.import', { yaml: unknown, dryRun: true });
    const line = unknown.split('\n').findIndex((l) => l.includes('colour')) + 1;
    expect(e1.code).toBe('INVALID_INPUT');
    expect(e1.message).toBe(`line ${line}: "apps.0.colour" is not a known field.`);
    const badName = yaml.replace('- name: tls', '- name: TLS_Bad');
    const e2 = await refusal(core, 'config.import', { yaml: badName, dryRun: true });
    const line2 = badName.split('\n').findIndex((l) => l.includes('TLS_Bad')) + 1;
    expect(e2.message).toMatch(new RegExp(`^line ${line2}: "apps\\.0\\.secrets\\.1\\.name": must be a DNS-1123 subdomain`, 'u'));
    const badKey = yaml.replace('      - PASSWORD', '      - PASS-WORD');
    const e3 = await refusal(core, 'config.import', { yaml: badKey, dryRun: true });
    expect(e3.message).toMatch(/"apps\.0\.secrets\.0\.keyNames\.0\.name": must be an environment variable name/u);
  });
});
