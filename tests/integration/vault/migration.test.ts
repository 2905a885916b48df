// The database across versions of Tessera: a file made by the first schema opens with the
// current app; a newer file (an unknown migration) and a corrupt file are refused, untouched.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openDatabase, MIGRATIONS, DATABASE_FILE } from '../../../electron/core/store/index.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import { tempDir } from './helpers.ts';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function dir() {
  const d = tempDir('tessera-migrate-');
  dirs.push(d);
  return d.dir;
}

function refusal(fn: () => unknown): TesseraError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError);
    return error as TesseraError;
  }
  throw new Error('expected a refusal');
}

describe('database migrations', () => {
  it('opens a database made by the first schema version and keeps its rows', () => {
    const d = dir();
    const first = openDatabase(d, { migrations: MIGRATIONS.slice(0, 1) });
    first.prepare("INSERT INTO apps (id, name, namespace, created_at, updated_at) VALUES ('a1', 'legacy', 'ns', 't', 't')").run();
    first.close();
    const current = openDatabase(d);
    const applied = (current.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.id).sort());
    expect(current.prepare('SELECT name FROM apps').all()).toEqual([{ name: 'legacy' }]);
    expect(current.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(current.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    current.close();
  });

  it('refuses a database written by a newer Tessera and leaves the file byte for byte unchanged', () => {
    const d = dir();
    const db = openDatabase(d);
    db.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES ('9999_future_feature', 't')").run();
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    const file = join(d, DATABASE_FILE);
    const before = readFileSync(file);
    const e = refusal(() => openDatabase(d));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/newer Tessera.*9999_future_feature.*untouched/u);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt file and a file that is not SQLite, unchanged', () => {
    const d = dir();
    const file = join(d, DATABASE_FILE);
    writeFileSync(file, 'this is not a database at all\n'.repeat(100));
    const before = readFileSync(file);
    const e = refusal(() => openDatabase(d));
    expect(e.code).toBe('TAMPERED');
    expect(e.message).toMatch(/not a usable Tessera database/u);
    expect(readFileSync(file).equals(before)).toBe(true);

    const d2 = dir();
    const db = openDatabase(d2);
    for (let i = 0; i < 200; i++)
      db.prepare('INSERT INTO audit_log (seq, time, actor, action, subject, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        i + 1,
        't',
        'a',
        'x'.repeat(200),
        's',
        'ok',
        '{}',
        'p',
        'h',
      );
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    const file2 = join(d2, DATABASE_FILE);
    const bytes = readFileSync(file2);
    // Damage a b-tree page past the header (page 3 onwards).
    for (let i = 4096 * 2 + 10; i < 4096 * 2 + 400; i++) bytes[i] = 0xff;
    writeFileSync(file2, bytes);
    const e2 = refusal(() => openDatabase(d2));
    expect(e2.code).toBe('TAMPERED');
    expect(readFileSync(file2).equals(bytes)).toBe(true);
    expect(existsSync(`${file2}-wal`) ? readFileSync(`${file2}-wal`).length : 0).toBe(0);
  });

  it('enforces immutable versions and an append-only audit log in the schema itself', () => {
    const d = dir();
    const db = openDatabase(d);
    db.prepare(
      "INSERT INTO audit_log (seq, time, actor, action, subject, outcome, details, prev_hash, hash) VALUES (1, 't', 'a', 'b', 's', 'ok', '{}', 'p', 'h')",
    ).run();
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/u);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/u);
    db.close();
    const raw = new DatabaseSync(join(d, DATABASE_FILE));
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()).toEqual(
      expect.arrayContaining([{ name: 'audit_log_no_delete' }, { name: 'audit_log_no_update' }, { name: 'secret_versions_immutable' }]),
    );
    raw.close();
  });
});
