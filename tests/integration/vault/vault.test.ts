// The vault on real SoftHSM2 tokens: envelope encryption for token and public-key recipients,
// either token alone opens a version, rotation to a new key, reveal, and tamper detection.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Core } from '../../../electron/core/index.ts';
import { memorySink, processSinks } from '../../../electron/core/log/logger.ts';
import { VaultService, tokenAccess, type VaultTrust } from '../../../electron/core/vault/index.ts';
import { openDatabase } from '../../../electron/core/store/index.ts';
import type { AppView, RecipientView, RevealedVersion, TokenKeyView, VersionView, EventMessage } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { bootstrapOfficer, dispatchCaller } from '../../support/officer.ts';
import { call, makeCore, rawDb, refusal, tempDir, value } from './helpers.ts';

const skipReason = softHsmSkipReason();
if (skipReason) console.warn(`[vault.test] skipped: ${skipReason}`);

const PRIMARY = { label: 'vault-primary', pin: '314159-primary', soPin: '271828-primary-so' };
const BACKUP = { label: 'vault-backup', pin: '161803-backup', soPin: '141421-backup-so' };
/** The security officer's own token: it stays unlocked while the recipients' tokens come and go. */
const OFFICER = { label: 'vault-officer', pin: '112358-officer', soPin: '132134-officer-so' };
/** No signed chain at all: an old vault, or the explicit unsigned demo. */
const noChain: VaultTrust = {
  view: () => null,
  signRecipient: () => Promise.reject(new Error('no chain')),
  signAs: () => Promise.reject(new Error('no chain')),
};

let hsm: SoftHsm;
let core: Core;
let data: ReturnType<typeof tempDir>;
let primary: string;
let backup: string;
const keys: Record<string, TokenKeyView> = {};
const sink = memorySink();

const login = (serial: string, pin: string) => value(core, 'hsm.login', { tokenSerial: serial, pin });
const logout = (serial: string) => value(core, 'hsm.logout', { tokenSerial: serial });
const reveal = (app: string, secret: string, version?: number) =>
  value<RevealedVersion>(core, 'vault.reveal', { app, secret, ...(version ? { version } : {}) });
const asMap = (r: RevealedVersion) => Object.fromEntries(r.values.map((v) => [v.name, v.value]));

describe.skipIf(skipReason !== null)('vault on SoftHSM2', () => {
  beforeAll(async () => {
    processSinks.push(sink);
    hsm = createSoftHsm([PRIMARY, BACKUP, OFFICER]);
    primary = hsm.tokens.find((t) => t.label === PRIMARY.label)!.serial;
    backup = hsm.tokens.find((t) => t.label === BACKUP.label)!.serial;
    data = tempDir('tessera-vault-');
    // Recipients, versions, reveal and rewrap are signed by the security officer "officer" (TESSERA_PRINCIPAL).
    core = makeCore(data.dir, hsm.module, { TESSERA_PRINCIPAL: 'officer' });
    await login(primary, PRIMARY.pin);
    await login(backup, BACKUP.pin);
    const officerSerial = hsm.tokens.find((t) => t.label === OFFICER.label)!.serial;
    await login(officerSerial, OFFICER.pin);
    await bootstrapOfficer(dispatchCaller(core), officerSerial, 'officer');
    for (const [name, serial, type] of [
      ['p-ec', primary, 'ec-p256'],
      ['p-rsa', primary, 'rsa-2048'],
      ['p-aes', primary, 'aes-256'],
      ['b-ec', backup, 'ec-p384'],
      ['b-rsa', backup, 'rsa-2048'],
      ['b-ec2', backup, 'ec-p256'],
    ] as const) {
      keys[name] = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type, label: name });
    }
    await value(core, 'vault.createApp', { name: 'billing', namespace: 'payments' });
    await value(core, 'vault.defineSecret', { app: 'billing', name: 'db-credentials', delivery: 'env' });
  });

  afterAll(async () => {
    await core?.close();
    hsm?.cleanup();
    data?.cleanup();
    processSinks.splice(processSinks.indexOf(sink), 1);
  });

  it('refuses to write a version before any recipient exists', async () => {
    const e = await refusal(core, 'vault.writeVersion', { app: 'billing', secret: 'db-credentials', values: [{ name: 'PASSWORD', value: 'x' }] });
    expect(e.code).toBe('CONFLICT');
  });

  it('writes a version for two recipients on two tokens; either token alone opens it', async () => {
    const a = await value<RecipientView>(core, 'vault.addRecipient', { tokenSerial: primary, keyId: keys['p-ec']!.keyId, label: 'primary EC' });
    const b = await value<RecipientView>(core, 'vault.addRecipient', { tokenSerial: backup, keyId: keys['b-rsa']!.keyId, label: 'backup RSA' });
    expect(a).toMatchObject({ kind: 'ecdh-es', status: 'active', tokenSerial: primary, curve: 'P-256' });
    expect(b).toMatchObject({ kind: 'rsa-oaep', status: 'active' });
    const v = await value<VersionView>(core, 'vault.writeVersion', {
      app: 'billing',
      secret: 'db-credentials',
      values: [
        { name: 'USER', value: 'billing' },
        { name: 'PASSWORD', value: 'correct horse battery staple' },
      ],
    });
    expect(v).toMatchObject({
      number: 1,
      keyNames: ['PASSWORD', 'USER'],
      added: ['PASSWORD', 'USER'],
      removed: [],
      createdBy: 'officer',
      source: 'literal',
      integrity: 'signed',
      signedBy: 'officer',
    });
    expect(v.recipients.sort()).toEqual([a.fingerprint, b.fingerprint].sort());

    await logout(backup);
    expect(asMap(await reveal('billing', 'db-credentials'))).toEqual({ USER: 'billing', PASSWORD: 'correct horse battery staple' });
    await logout(primary);
    const locked = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db-credentials' });
    expect(locked.code).toBe('TOKEN_LOCKED');
    await login(backup, BACKUP.pin);
    expect(asMap(await reveal('billing', 'db-credentials'))).toEqual({ USER: 'billing', PASSWORD: 'correct horse battery staple' });
    await login(primary, PRIMARY.pin);
  });

  it('keeps a version history with who, when and which keys changed', async () => {
    await value(core, 'vault.writeVersion', {
      app: 'billing',
      secret: 'db-credentials',
      values: [
        { name: 'USER', value: 'billing' },
        { name: 'TOKEN', value: 'abc' },
      ],
    });
    const history = await value<VersionView[]>(core, 'vault.versions', { app: 'billing', secret: 'db-credentials' });
    expect(history.map((h) => h.number)).toEqual([2, 1]);
    expect(history[0]).toMatchObject({ added: ['TOKEN'], removed: ['PASSWORD'], createdBy: 'officer' });
    const app = await value<AppView>(core, 'vault.app', { app: 'billing' });
    expect(app.secrets[0]).toMatchObject({ name: 'db-credentials', keyNames: ['TOKEN', 'USER'], versionCount: 2, latestVersion: { number: 2 } });
    expect(asMap(await reveal('billing', 'db-credentials', 1))).toMatchObject({ PASSWORD: 'correct horse battery staple' });
  });

  it('in the explicit unsigned demo, writes with RSA and EC public-key recipients and no token at all; the token opens it later', async () => {
    const d = tempDir('tessera-vault-notoken-');
    try {
      const noTokens = () => {
        throw new Error('the token layer must not be touched');
      };
      // A signed vault needs the author's token to sign a version; only the unsigned demo writes with none.
      const offline = new VaultService({
        db: openDatabase(d.dir),
        log: core.log,
        tokens: noTokens,
        actor: () => 'app-owner',
        trust: () => noChain,
        demo: true,
      });
      expect(offline.mode()).toBe('unsigned-demo');
      await offline.addRecipientFromPem(keys['b-ec']!.publicKeyPem!, 'backup EC (PEM)');
      // SoftHSM2 2.6 unwraps RSA-OAEP with SHA-1 only; a PEM recipient states the hash its token can do.
      await offline.addRecipientFromPem(keys['p-rsa']!.publicKeyPem!, 'primary RSA (PEM)', 'sha1');
      offline.createApp({ name: 'web', namespace: 'web' });
      offline.defineSecret('web', { name: 'api', delivery: 'volume', mountPath: '/etc/api' });
      const v = await offline.writeVersion('web', 'api', [{ name: 'key.pem', value: Buffer.from('offline-secret') }], 'literal');
      expect(v.recipients).toHaveLength(2);
      expect(v.integrity).toBe('unsigned');
      offline.close();
      // Later, on a workstation with the tokens (this process's token layer: one C_Initialize per process).
      // Without the demo switch the same file is an old, unsigned vault: readable with a token, never provisioned.
      const later = new VaultService({
        db: openDatabase(d.dir),
        log: core.log,
        tokens: () => tokenAccess(core.services.tokens()),
        actor: () => 'officer',
        trust: () => noChain,
      });
      try {
        await logout(primary);
        const r1 = await later.reveal('web', 'api');
        expect(r1.values).toEqual([{ name: 'key.pem', value: 'offline-secret', encoding: 'utf8' }]);
        expect(r1.integrity).toBe('unsigned');
        await expect(later.withVersion(v.id, () => 'provisioned')).rejects.toThrow(/not signed[\s\S]*tessera principal bootstrap/u);
        await logout(backup);
        await login(primary, PRIMARY.pin);
        expect((await later.reveal('web', 'api')).values[0]!.value).toBe('offline-secret');
        await login(backup, BACKUP.pin);
      } finally {
        later.close();
      }
    } finally {
      d.cleanup();
    }
  });

  it('wraps for an AES recipient on the token and opens with it', async () => {
    const aes = await value<RecipientView>(core, 'vault.addRecipient', { tokenSerial: primary, keyId: keys['p-aes']!.keyId, label: 'primary AES' });
    expect(aes.kind).toBe('aes-kw');
    await value(core, 'vault.defineSecret', { app: 'billing', name: 'tls', delivery: 'volume', mountPath: '/etc/tls' });
    const v = await value<VersionView>(core, 'vault.writeVersion', {
      app: 'billing',
      secret: 'tls',
      values: [{ name: 'tls.key', value: Buffer.from([0, 255, 1, 2]).toString('base64'), encoding: 'base64' }],
    });
    expect(v.recipients).toContain(aes.fingerprint);
    const r = await reveal('billing', 'tls');
    expect(r.values).toEqual([{ name: 'tls.key', value: 'AP8BAg==', encoding: 'base64' }]);
    await value(core, 'vault.retireRecipient', { fingerprint: aes.fingerprint });
  });

  it('rotates to a new token key: add, retire the old, rewrap; every version then opens with the new key only', async () => {
    const events: EventMessage[] = [];
    const stop = core.events.subscribe((m) => events.push(m));
    const before = await value<RecipientView[]>(core, 'vault.recipients', {});
    const fresh = await value<RecipientView>(core, 'vault.addRecipient', { tokenSerial: backup, keyId: keys['b-ec2']!.keyId, label: 'backup EC 2' });
    for (const r of before.filter((x) => x.status === 'active')) await value(core, 'vault.retireRecipient', { fingerprint: r.fingerprint });
    const status = await value<{ pending: number; versions: number }>(core, 'vault.rewrapStatus', {});
    expect(status.pending).toBe(status.versions);
    const result = await value<{ rewrapped: number; pending: number }>(core, 'vault.rewrap', {});
    expect(result).toMatchObject({ rewrapped: status.versions, pending: 0 });
    stop();
    const progress = events.filter((e) => e.event === 'vault.rewrap.progress');
    expect(progress).toHaveLength(status.versions);
    expect(progress.at(-1)!.payload).toMatchObject({ done: status.versions, total: status.versions });
    const db = rawDb(data.dir);
    const holders = db.prepare('SELECT DISTINCT recipient FROM wrapped_keys').all() as { recipient: string }[];
    db.close();
    expect(holders.map((h) => h.recipient)).toEqual([fresh.fingerprint]);
    // Only the backup token; the primary (which held the old keys) locked.
    await logout(primary);
    for (const n of [1, 2]) expect((await reveal('billing', 'db-credentials', n)).version).toBe(n);
    expect((await reveal('billing', 'tls')).values[0]!.value).toBe('AP8BAg==');
    await login(primary, PRIMARY.pin);
    // Nothing left to do: a second run is a no-op.
    expect(await value(core, 'vault.rewrap', {})).toMatchObject({ rewrapped: 0, pending: 0 });
    const last = await refusal(core, 'vault.retireRecipient', { fingerprint: fresh.fingerprint });
    expect(last.code).toBe('CONFLICT');
  });

  describe('tampering', () => {
    let versionId: string;

    beforeAll(async () => {
      await value(core, 'vault.defineSecret', { app: 'billing', name: 'tamper', delivery: 'env' });
      for (let i = 0; i < 2; i++) {
        const v = await value<VersionView>(core, 'vault.writeVersion', { app: 'billing', secret: 'tamper', values: [{ name: 'K', value: `value-${i}` }] });
        versionId = v.id;
      }
      const db = rawDb(data.dir);
      db.exec('DROP TRIGGER IF EXISTS secret_versions_immutable');
      db.close();
    });

    async function expectTampered(mutate: (db: ReturnType<typeof rawDb>) => void, undo: (db: ReturnType<typeof rawDb>) => void, version = 2) {
      const db = rawDb(data.dir);
      try {
        mutate(db);
        const e = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'tamper', version });
        expect(e.code).toBe('TAMPERED');
        expect(e.message).toMatch(/"tamper" of app "billing", version \d/u);
        expect(e.details).toMatchObject({ app: 'billing', secret: 'tamper' });
      } finally {
        undo(db);
        db.close();
      }
      expect((await reveal('billing', 'tamper', version)).values[0]!.value).toBe(`value-${version - 1}`);
    }

    const flip = (buf: Uint8Array, at: number) => {
      const copy = Buffer.from(buf);
      copy[at % copy.length]! ^= 0x01;
      return copy;
    };

    for (const [column, at] of [
      ['ciphertext', 0],
      ['ciphertext', -1],
      ['nonce', 5],
    ] as const) {
      it(`finds a flipped byte in the version's ${column} (${at})`, async () => {
        let original: Uint8Array;
        await expectTampered(
          (db) => {
            original = (db.prepare(`SELECT ${column} AS c FROM secret_versions WHERE id = ?`).get(versionId) as { c: Uint8Array }).c;
            db.prepare(`UPDATE secret_versions SET ${column} = ? WHERE id = ?`).run(flip(original, at < 0 ? original.length - 1 : at), versionId);
          },
          (db) => db.prepare(`UPDATE secret_versions SET ${column} = ? WHERE id = ?`).run(original, versionId),
        );
      });
    }

    for (const column of ['data', 'epk'] as const) {
      it(`finds a flipped byte in the wrapped key's ${column}`, async () => {
        let original: Uint8Array;
        await expectTampered(
          (db) => {
            original = (db.prepare(`SELECT ${column} AS c FROM wrapped_keys WHERE version_id = ?`).get(versionId) as { c: Uint8Array }).c;
            db.prepare(`UPDATE wrapped_keys SET ${column} = ? WHERE version_id = ?`).run(flip(original, 7), versionId);
          },
          (db) => db.prepare(`UPDATE wrapped_keys SET ${column} = ? WHERE version_id = ?`).run(original, versionId),
        );
      });
    }

    it('finds a changed scheme or recipient on a wrapped key', async () => {
      let scheme = '';
      let recipient = '';
      await expectTampered(
        (db) => {
          ({ scheme, recipient } = db.prepare('SELECT scheme, recipient FROM wrapped_keys WHERE version_id = ?').get(versionId) as {
            scheme: string;
            recipient: string;
          });
          db.prepare("UPDATE wrapped_keys SET scheme = 'rsa-oaep-sha256' WHERE version_id = ?").run(versionId);
        },
        (db) => db.prepare('UPDATE wrapped_keys SET scheme = ? WHERE version_id = ?').run(scheme, versionId),
      );
      await expectTampered(
        (db) => db.prepare('UPDATE wrapped_keys SET recipient = ? WHERE version_id = ?').run('f'.repeat(64), versionId),
        (db) => db.prepare('UPDATE wrapped_keys SET recipient = ? WHERE version_id = ?').run(recipient, versionId),
      );
    });

    it('finds a changed bound field: version number, key names, format tag', async () => {
      await expectTampered(
        (db) => db.prepare('UPDATE secret_versions SET key_names = \'["L"]\' WHERE id = ?').run(versionId),
        (db) => db.prepare('UPDATE secret_versions SET key_names = \'["K"]\' WHERE id = ?').run(versionId),
      );
      await expectTampered(
        (db) => db.prepare("UPDATE secret_versions SET format = 'tessera.secret.v0' WHERE id = ?").run(versionId),
        (db) => db.prepare("UPDATE secret_versions SET format = 'tessera.secret.v1' WHERE id = ?").run(versionId),
      );
      // Swap the numbers of versions 1 and 2.
      await expectTampered(
        (db) => {
          db.exec('BEGIN');
          db.prepare('UPDATE secret_versions SET number = number + 100 WHERE secret_id = (SELECT secret_id FROM secret_versions WHERE id = ?)').run(versionId);
          db.prepare(
            'UPDATE secret_versions SET number = CASE number WHEN 101 THEN 2 ELSE 1 END WHERE secret_id = (SELECT secret_id FROM secret_versions WHERE id = ?)',
          ).run(versionId);
          db.exec('COMMIT');
        },
        (db) => {
          db.exec('BEGIN');
          db.prepare('UPDATE secret_versions SET number = number + 100 WHERE secret_id = (SELECT secret_id FROM secret_versions WHERE id = ?)').run(versionId);
          db.prepare(
            'UPDATE secret_versions SET number = CASE number WHEN 101 THEN 2 ELSE 1 END WHERE secret_id = (SELECT secret_id FROM secret_versions WHERE id = ?)',
          ).run(versionId);
          db.exec('COMMIT');
        },
      );
    });

    it('finds versions whose ciphertexts (with their wrapped keys) were swapped', async () => {
      const swap = (db: ReturnType<typeof rawDb>) => {
        const rows = db
          .prepare('SELECT id, nonce, ciphertext FROM secret_versions WHERE secret_id = (SELECT secret_id FROM secret_versions WHERE id = ?) ORDER BY number')
          .all(versionId) as { id: string; nonce: Uint8Array; ciphertext: Uint8Array }[];
        const keysOf = (id: string) => db.prepare('SELECT data, epk FROM wrapped_keys WHERE version_id = ?').get(id) as { data: Uint8Array; epk: Uint8Array };
        const [a, b] = [rows[0]!, rows[1]!];
        const [ka, kb] = [keysOf(a.id), keysOf(b.id)];
        db.exec('BEGIN');
        db.prepare('UPDATE secret_versions SET nonce = ?, ciphertext = ? WHERE id = ?').run(b.nonce, b.ciphertext, a.id);
        db.prepare('UPDATE secret_versions SET nonce = ?, ciphertext = ? WHERE id = ?').run(a.nonce, a.ciphertext, b.id);
        db.prepare('UPDATE wrapped_keys SET data = ?, epk = ? WHERE version_id = ?').run(kb.data, kb.epk, a.id);
        db.prepare('UPDATE wrapped_keys SET data = ?, epk = ? WHERE version_id = ?').run(ka.data, ka.epk, b.id);
        db.exec('COMMIT');
      };
      await expectTampered(swap, swap);
    });

    it('finds a renamed secret (the name is bound into the ciphertext)', async () => {
      const db = rawDb(data.dir);
      db.prepare("UPDATE secrets SET name = 'tampered' WHERE name = 'tamper'").run();
      db.close();
      const e = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'tampered', version: 2 });
      expect(e.code).toBe('TAMPERED');
      const back = rawDb(data.dir);
      back.prepare("UPDATE secrets SET name = 'tamper' WHERE name = 'tampered'").run();
      back.close();
    });
  });

  it('audits every change and reveal without values', async () => {
    const entries = await value<{ action: string; details: unknown }[]>(core, 'audit.list', {});
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['app.create', 'secret.create', 'recipient.add', 'version.write', 'version.reveal', 'recipient.retire', 'vault.rewrap']),
    );
    expect(JSON.stringify(entries)).not.toContain('correct horse');
    expect((await value<{ ok: boolean }>(core, 'audit.verify', {})).ok).toBe(true);
    await call(core, 'vault.apps', {});
  });
});
