// Apps: name, namespace, description, owners, targeting (selector + include/exclude lists)
// and per-cluster publish state. Multi-row changes run in one transaction.
import { randomUUID } from 'node:crypto';
import type { AppTargeting, PublicationView } from '../../../shared/contract/index.ts';
import { transaction, type Database } from './database.ts';

export interface AppRecord {
  id: string;
  name: string;
  namespace: string;
  description: string;
  owners: string[];
  targeting: AppTargeting;
  createdAt: string;
  updatedAt: string;
}

interface AppRow {
  id: string;
  name: string;
  namespace: string;
  description: string;
  owners: string;
  selector: string;
  created_at: string;
  updated_at: string;
}

export class AppRepository {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  private rules(appId: string): { include: string[]; exclude: string[] } {
    const rows = this.db.prepare('SELECT cluster, rule FROM app_cluster_rules WHERE app_id = ? ORDER BY cluster').all(appId) as {
      cluster: string;
      rule: string;
    }[];
    return { include: rows.filter((r) => r.rule === 'include').map((r) => r.cluster), exclude: rows.filter((r) => r.rule === 'exclude').map((r) => r.cluster) };
  }

  private toRecord(row: AppRow): AppRecord {
    return {
      id: row.id,
      name: row.name,
      namespace: row.namespace,
      description: row.description,
      owners: JSON.parse(row.owners) as string[],
      targeting: { selector: row.selector, ...this.rules(row.id) },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  list(): AppRecord[] {
    return (this.db.prepare('SELECT * FROM apps ORDER BY name').all() as unknown as AppRow[]).map((r) => this.toRecord(r));
  }

  /** By name or id. */
  find(ref: string): AppRecord | null {
    const row = this.db.prepare('SELECT * FROM apps WHERE name = ? OR id = ?').get(ref, ref) as AppRow | undefined;
    return row ? this.toRecord(row) : null;
  }

  create(input: Omit<AppRecord, 'id' | 'createdAt' | 'updatedAt'>, now = new Date().toISOString()): AppRecord {
    const id = randomUUID();
    transaction(this.db, () => {
      this.db
        .prepare('INSERT INTO apps (id, name, namespace, description, owners, selector, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, input.namespace, input.description, JSON.stringify(input.owners), input.targeting.selector, now, now);
      this.writeRules(id, input.targeting);
    });
    return this.find(id)!;
  }

  update(id: string, next: Omit<AppRecord, 'id' | 'name' | 'createdAt' | 'updatedAt'>, now = new Date().toISOString()): AppRecord {
    transaction(this.db, () => {
      this.db
        .prepare('UPDATE apps SET namespace = ?, description = ?, owners = ?, selector = ?, updated_at = ? WHERE id = ?')
        .run(next.namespace, next.description, JSON.stringify(next.owners), next.targeting.selector, now, id);
      this.db.prepare('DELETE FROM app_cluster_rules WHERE app_id = ?').run(id);
      this.writeRules(id, next.targeting);
    });
    return this.find(id)!;
  }

  private writeRules(id: string, t: AppTargeting) {
    const insert = this.db.prepare('INSERT INTO app_cluster_rules (app_id, cluster, rule) VALUES (?, ?, ?)');
    for (const c of t.include) insert.run(id, c, 'include');
    for (const c of t.exclude) insert.run(id, c, 'exclude');
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
  }

  publications(appId: string): PublicationView[] {
    const rows = this.db.prepare('SELECT cluster, state, updated_at, updated_by FROM app_publications WHERE app_id = ? ORDER BY cluster').all(appId) as {
      cluster: string;
      state: 'published' | 'unpublished';
      updated_at: string;
      updated_by: string;
    }[];
    return rows.map((r) => ({ cluster: r.cluster, state: r.state, updatedAt: r.updated_at, updatedBy: r.updated_by }));
  }

  setPublication(appId: string, cluster: string, state: 'published' | 'unpublished', by: string, now = new Date().toISOString()): void {
    this.db
      .prepare(
        'INSERT INTO app_publications (app_id, cluster, state, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, cluster) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
      )
      .run(appId, cluster, state, now, by);
  }
}
