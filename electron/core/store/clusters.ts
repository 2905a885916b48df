// Clusters as the vault knows them: a kubeconfig context name, where it came from, and the
// labels (env, region, …) that drive targeting.
import type { ClusterView } from '../../../shared/contract/index.ts';
import type { Database } from './database.ts';

interface Row {
  name: string;
  kubeconfig_source: string;
  labels: string;
  created_at: string;
  updated_at: string;
}

const toView = (r: Row): ClusterView => ({
  name: r.name,
  kubeconfigSource: r.kubeconfig_source,
  labels: JSON.parse(r.labels) as Record<string, string>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function sortedLabels(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export class ClusterRepository {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  list(): ClusterView[] {
    return (this.db.prepare('SELECT * FROM clusters ORDER BY name').all() as unknown as Row[]).map(toView);
  }

  find(name: string): ClusterView | null {
    const row = this.db.prepare('SELECT * FROM clusters WHERE name = ?').get(name) as Row | undefined;
    return row ? toView(row) : null;
  }

  upsert(name: string, kubeconfigSource: string, labels: Record<string, string>, now = new Date().toISOString()): ClusterView {
    this.db
      .prepare(
        'INSERT INTO clusters (name, kubeconfig_source, labels, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kubeconfig_source = excluded.kubeconfig_source, labels = excluded.labels, updated_at = excluded.updated_at',
      )
      .run(name, kubeconfigSource, sortedLabels(labels), now, now);
    return this.find(name)!;
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM clusters WHERE name = ?').run(name);
  }
}
