// The data dir and the database files are the user's alone: 0700 and 0600, checked on every
// open (not only when Tessera creates them), tightened with a warning when found wider.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

export type PermissionWarn = (message: string, fields: Record<string, string>) => void;

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

function tighten(path: string, mode: number, what: string, warn: PermissionWarn): void {
  const actual = statSync(path).mode & 0o777;
  if ((actual & ~mode) === 0) return;
  chmodSync(path, mode);
  warn(`${what} was readable or writable by others; tightened`, {
    path,
    was: actual.toString(8).padStart(4, '0'),
    now: mode.toString(8).padStart(4, '0'),
  });
}

/**
 * Makes sure dataDir exists as 0700 and that `file` exists as 0600 before SQLite opens it, so the
 * WAL and shared-memory files SQLite derives from it start 0600 too. Windows has no POSIX modes.
 */
export function secureDataDir(dataDir: string, file: string, warn: PermissionWarn): void {
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  if (process.platform === 'win32') return;
  tighten(dataDir, DIR_MODE, 'The data directory', warn);
  if (!existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE));
  secureDatabaseFiles(file, warn);
}

/** The database file and its -wal, -shm and -journal companions, 0600. */
export function secureDatabaseFiles(file: string, warn: PermissionWarn): void {
  if (process.platform === 'win32') return;
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) tighten(path, FILE_MODE, 'A database file', warn);
  }
}
