// The last scans, kept in the store with their time (table kube_scans, migration 0002_kube_scans).
import type { ScanResult } from '../../../shared/contract/index.ts';
import type { Database } from '../store/database.ts';

export interface ScanStore {
  save(result: ScanResult): void;
  last(): ScanResult | null;
}

const KEEP = 10;

export function sqliteScanStore(db: Database): ScanStore {
  // The last scan can be large (every cell of every cluster): parse it once, and again only
  // when another scan (from this process or another, e.g. the CLI) is newer.
  let cached: ScanResult | null = null;
  return {
    save(result) {
      cached = result;
      db.prepare('INSERT OR REPLACE INTO kube_scans (id, started_at, finished_at, cancelled, result) VALUES (?, ?, ?, ?, ?)').run(
        result.scanId,
        result.startedAt,
        result.finishedAt,
        result.cancelled ? 1 : 0,
        JSON.stringify(result),
      );
      db.prepare('DELETE FROM kube_scans WHERE id NOT IN (SELECT id FROM kube_scans ORDER BY started_at DESC LIMIT ?)').run(KEEP);
    },
    last() {
      const head = db.prepare('SELECT id FROM kube_scans ORDER BY started_at DESC LIMIT 1').get() as { id: string } | undefined;
      if (!head) return null;
      if (cached?.scanId === head.id) return cached;
      const row = db.prepare('SELECT result FROM kube_scans WHERE id = ?').get(head.id) as { result: string };
      cached = JSON.parse(row.result) as ScanResult;
      return cached;
    },
  };
}

export function memoryScanStore(): ScanStore {
  let last: ScanResult | null = null;
  return { save: (r) => void (last = r), last: () => last };
}
