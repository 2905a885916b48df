// The one SQLite file in the data dir (node:sqlite): WAL, foreign keys on, forward-only
// migrations applied at start-up. A database written by a newer Tessera, or a file that is not
// a healthy SQLite database, is refused with a clear error and never modified.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { TesseraError } from '../../../shared/contract/index.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { secureDatabaseFiles, secureDataDir, type PermissionWarn } from './permissions.ts';

export type Database = DatabaseSync;

export const DATABASE_FILE = 'tessera.db';
const SQLITE_MAGIC = 'SQLite format 3\u0000';

export interface OpenOptions {
  /** Replaces the app's migration list (tests of the mechanism itself). */
  migrations?: readonly Migration[];
  /** Told when the data dir or a database file was wider than 0700/0600 and was tightened. */
  warn?: PermissionWarn;
}

const warnOnStderr: PermissionWarn = (message, fields) =>
  process.stderr.write(
    `tessera: ${message}: ${Object.entries(fields)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`,
  );

function looksLikeSqlite(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    return read === 0 || header.toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Runs fn in one transaction: all of it or none of it. Nested calls join the outer one. */
export function transaction<T>(db: Database, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  const file = join(dataDir, DATABASE_FILE);
  const corrupt = (why: string) =>
    new TesseraError('TAMPERED', `${file} is not a usable Tessera database (${why}). It was left untouched; restore it from a backup or move it aside.`);

  if (existsSync(file) && !looksLikeSqlite(file)) throw corrupt('not an SQLite file');
  const warn = options.warn ?? warnOnStderr;
  secureDataDir(dataDir, file, warn);

  // Check the file read-only first, so a bad or newer file is never written to.
  if (existsSync(file)) {
    let probe: DatabaseSync | null = null;
    try {
      probe = new DatabaseSync(file, { readOnly: true });
      const check = probe.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
      if (check.length !== 1 || check[0]!.quick_check !== 'ok') throw corrupt('integrity check failed');
      const hasTable = probe.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      if (hasTable) {
        const applied = (probe.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id);
        const known = new Set(migrations.map((m) => m.id));
        const unknown = applied.filter((id) => !known.has(id));
        if (unknown.length > 0) {
          throw new TesseraError(
            'CONFLICT',
            `${file} was written by a newer Tessera (it has schema changes ${unknown.join(', ')} that this version does not know). Update Tessera; the file was left untouched.`,
          );
        }
      }
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      throw corrupt((error as Error).message.split('\n')[0] ?? 'unreadable');
    } finally {
      probe?.close();
    }
  }

  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  migrate(db, migrations);
  secureDatabaseFiles(file, warn);
  return db;
}

export function migrate(db: Database, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    transaction(db, () => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, new Date().toISOString());
    });
  }
}
