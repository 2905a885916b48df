// The audit log: hash chain, checkpoints signed on a SoftHSM2 token by the acting principal,
// and verify() finding an edited, a deleted and a reordered entry, and a forged checkpoint.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { Core } from '../../../electron/core/index.ts';
import { entryHash } from '../../../electron/core/audit/index.ts';
import type { AuditVerification, TokenKeyView, AuditEntryView } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { makeCore, rawDb, refusal, tempDir, value } from './helpers.ts';

const skipReason = softHsmSkipReason();
const OFFICER = { label: 'audit-officer', pin: '662607-officer', soPin: '602214-officer-so' };

let hsm: SoftHsm;
let core: Core;
let data: ReturnType<typeof tempDir>;
let serial: string;

const verify = () => value<AuditVerification>(core, 'audit.verify', {});

describe.skipIf(skipReason !== null)('audit log', () => {
  beforeAll(async () => {
    hsm = createSoftHsm([OFFICER]);
    serial = hsm.tokens[0]!.serial;
    data = tempDir('tessera-audit-');
    core = makeCore(data.dir, hsm.module, { TESSERA_ACTOR: 'alice', TESSERA_PRINCIPAL: 'alice' });
    await value(core, 'hsm.login', { tokenSerial: serial, pin: OFFICER.pin });
    const signing = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type: 'ec-p256', label: 'alice-signing' });
    const kek = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: serial, type: 'ec-p384', label: 'kek' });
    // alice is the vault's first security officer: she signs the recipient, the versions and each reveal.
    await value(core, 'rollout.bootstrap', { name: 'alice', tokenSerial: serial, keyId: signing.keyId });
    await value(core, 'vault.addRecipient', { tokenSerial: serial, keyId: kek.keyId, label: 'kek' });
    await value(core, 'vault.createApp', { name: 'shop', namespace: 'shop' });
    await value(core, 'vault.defineSecret', { app: 'shop', name: 'api', delivery: 'env' });
    for (let i = 0; i < 3; i++) await value(core, 'vault.writeVersion', { app: 'shop', secret: 'api', values: [{ name: 'KEY', value: `audit-value-${i}` }] });
  });

  afterAll(async () => {
    await core?.close();
    hsm?.cleanup();
    data?.cleanup();
  });

  let undo: (() => void) | null = null;
  beforeEach(() => {
    undo?.();
    undo = null;
  });

  it('chains every entry to the previous one and holds no values', async () => {
    const entries = await value<AuditEntryView[]>(core, 'audit.list', {});
    expect(entries[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    for (const e of entries) expect(entryHash(e)).toBe(e.hash);
    expect(JSON.stringify(entries)).not.toMatch(/audit-value/u);
    expect(await verify()).toMatchObject({ ok: true, firstBroken: null });
  });

  it("signs a checkpoint with the acting principal's token key after a reveal, and verifies it", async () => {
    await value(core, 'vault.reveal', { app: 'shop', secret: 'api' });
    const result = await verify();
    expect(result).toMatchObject({ ok: true, checkpoints: 1, signaturesVerified: 1 });
    await value(core, 'vault.writeVersion', { app: 'shop', secret: 'api', values: [{ name: 'KEY', value: 'audit-value-3' }] });
    const explicit = await value<{ seq: number; algorithm: string }>(core, 'audit.checkpoint', { principal: 'alice' });
    expect(explicit.algorithm).toBe('ecdsa-p256-sha256');
    expect((await verify()).signaturesVerified).toBe(2);
  });

  function tamper(sql: string, restore: string) {
    const db = rawDb(data.dir);
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    db.exec(sql);
    db.close();
    undo = () => {
      const d = rawDb(data.dir);
      d.exec(restore);
      d.close();
    };
  }

  it('finds an edited entry', async () => {
    const row = rawDb(data.dir);
    const original = row.prepare('SELECT subject FROM audit_log WHERE seq = 5').get() as { subject: string };
    row.close();
    tamper("UPDATE audit_log SET subject = 'app/other' WHERE seq = 5", `UPDATE audit_log SET subject = '${original.subject}' WHERE seq = 5`);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 5 });
    expect(r.firstBroken!.reason).toMatch(/changed/u);
  });

  it('finds a deleted entry', async () => {
    await verify();
    tamper(
      'CREATE TABLE saved AS SELECT * FROM audit_log WHERE seq = 4; DELETE FROM audit_log WHERE seq = 4;',
      'INSERT INTO audit_log SELECT * FROM saved; DROP TABLE saved;',
    );
    const r = await verify();
    expect(r.firstBroken).toMatchObject({ seq: 4 });
    expect(r.firstBroken!.reason).toMatch(/missing|deleted/u);
  });

  it('finds reordered entries', async () => {
    // Swap the contents of entries 3 and 4, renumbered so the sequence has no gap.
    const swap = `CREATE TABLE swap AS SELECT * FROM audit_log WHERE seq IN (3, 4);
      DELETE FROM audit_log WHERE seq IN (3, 4);
      INSERT INTO audit_log SELECT CASE seq WHEN 3 THEN 4 ELSE 3 END, time, actor, action, subject, outcome, details, prev_hash, hash FROM swap;
      DROP TABLE swap;`;
    tamper(swap, swap);
    const r = await verify();
    expect(r.firstBroken).toMatchObject({ seq: 3 });
    expect(r.firstBroken!.reason).toMatch(/does not follow|reordered/u);
  });

  it('finds a forged checkpoint signature and a truncated log behind a checkpoint', async () => {
    tamper('UPDATE audit_checkpoints SET signature = randomblob(64)', 'SELECT 1');
    const r = await verify();
    expect(r.firstBroken!.reason).toMatch(/does not verify/u);
  });

  it('exports JSON Lines with entries and checkpoints', async () => {
    const { jsonl, entries } = await value<{ jsonl: string; entries: number }>(core, 'audit.export', {});
    const lines = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === 'entry')).toHaveLength(entries);
    expect(lines.some((l) => l.type === 'checkpoint')).toBe(true);
  });

  it('refuses a checkpoint for an unknown principal', async () => {
    expect((await refusal(core, 'audit.checkpoint', { principal: 'mallory' })).code).toBe('NOT_FOUND');
  });
});
