// Settings persisted as one JSON file in the data dir, written atomically (temp file + rename)
// so a crash never leaves half a file. Unknown or invalid values on disk fall back to defaults
// field by field, and the problem is logged rather than thrown.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../../shared/contract/index.ts';
import type { Logger } from '../log/logger.ts';

export interface SettingsStore {
  get(): Settings;
  set(patch: Partial<Settings>): Settings;
  readonly file: string;
}

export function createSettingsStore(dataDir: string, log: Logger): SettingsStore {
  const file = join(dataDir, 'settings.json');

  const load = (): Settings => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('settings file unreadable; using defaults', { file });
      return { ...DEFAULT_SETTINGS };
    }
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    for (const [key, field] of Object.entries(settingsSchema.shape)) {
      if (!(key in record)) continue;
      const parsed = field.safeParse(record[key]);
      if (parsed.success) settings[key] = parsed.data;
      else log.warn('invalid setting on disk ignored', { key });
    }
    return settings as Settings;
  };

  let current = load();

  return {
    file,
    get: () => structuredClone(current),
    set(patch) {
      const next = settingsSchema.parse({ ...current, ...patch });
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
      current = next;
      return structuredClone(current);
    },
  };
}
