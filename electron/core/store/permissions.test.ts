import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from './database.ts';

const mode = (path: string) => statSync(path).mode & 0o777;
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function existingWideDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'tessera-perm-'));
  roots.push(root);
  const dir = join(root, 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  return dir;
}

describe.skipIf(process.platform === 'win32')('data dir and database file permissions', () => {
  it('creates tessera.db and its WAL 0600 in an existing 0755 dir, and tightens the dir to 0700 with a warning', () => {
    const dir = existingWideDir();
    const warnings: string[] = [];
    const db = openDatabase(dir, { warn: (m, f) => warnings.push(`${m} ${f.path} ${f.was}`) });
    db.exec("INSERT INTO schema_migrations (id, applied_at) VALUES ('probe', 'now')");
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, DATABASE_FILE))).toBe(0o600);
    expect(mode(join(dir, `${DATABASE_FILE}-wal`))).toBe(0o600);
    expect(mode(join(dir, `${DATABASE_FILE}-shm`))).toBe(0o600);
    expect(warnings).toEqual([`The data directory was readable or writable by others; tightened ${dir} 0755`]);
    db.close();
  });

  it('tightens a database file made world-readable since the last open, on the next open, and says so', () => {
    const dir = existingWideDir();
    openDatabase(dir, { warn: () => undefined }).close();
    chmodSync(join(dir, DATABASE_FILE), 0o644);
    const warnings: string[] = [];
    openDatabase(dir, { warn: (m, f) => warnings.push(`${f.path} ${f.was}`) }).close();
    expect(mode(join(dir, DATABASE_FILE))).toBe(0o600);
    expect(warnings).toEqual([`${join(dir, DATABASE_FILE)} 0644`]);
  });

  it('says nothing when everything is already private', () => {
    const dir = existingWideDir();
    openDatabase(dir, { warn: () => undefined }).close();
    const warnings: string[] = [];
    openDatabase(dir, { warn: (m) => warnings.push(m) }).close();
    expect(warnings).toEqual([]);
  });
});
