// Principals (who acts and approves, with roles and a signing public key) and approval
// policies (cluster label selector → required approvals).
import type { PolicyView, Role } from '../../../shared/contract/index.ts';
import type { Database } from './database.ts';

export interface PrincipalRecord {
  name: string;
  roles: Role[];
  signingSpki: Uint8Array;
  keyFingerprint: string;
  createdAt: string;
}

interface PrincipalRow {
  name: string;
  roles: string;
  signing_spki: Uint8Array;
  key_fingerprint: string;
  created_at: string;
}

const toPrincipal = (r: PrincipalRow): PrincipalRecord => ({
  name: r.name,
  roles: JSON.parse(r.roles) as Role[],
  signingSpki: r.signing_spki,
  keyFingerprint: r.key_fingerprint,
  createdAt: r.created_at,
});

interface PolicyRow {
  name: string;
  selector: string;
  required_approvals: number;
  approver_role: Role;
  exclude_requester: number;
}

export class PrincipalRepository {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  list(): PrincipalRecord[] {
    return (this.db.prepare('SELECT * FROM principals ORDER BY name').all() as unknown as PrincipalRow[]).map(toPrincipal);
  }

  find(name: string): PrincipalRecord | null {
    const row = this.db.prepare('SELECT * FROM principals WHERE name = ?').get(name) as PrincipalRow | undefined;
    return row ? toPrincipal(row) : null;
  }

  insert(p: PrincipalRecord): void {
    this.db
      .prepare('INSERT INTO principals (name, roles, signing_spki, key_fingerprint, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(p.name, JSON.stringify(p.roles), p.signingSpki, p.keyFingerprint, p.createdAt);
  }

  policies(): PolicyView[] {
    return (this.db.prepare('SELECT * FROM approval_policies ORDER BY name').all() as unknown as PolicyRow[]).map((r) => ({
      name: r.name,
      selector: r.selector,
      requiredApprovals: r.required_approvals,
      approverRole: r.approver_role,
      excludeRequester: r.exclude_requester === 1,
    }));
  }

  setPolicy(p: PolicyView): void {
    this.db
      .prepare(
        'INSERT INTO approval_policies (name, selector, required_approvals, approver_role, exclude_requester) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET selector = excluded.selector, required_approvals = excluded.required_approvals, approver_role = excluded.approver_role, exclude_requester = excluded.exclude_requester',
      )
      .run(p.name, p.selector, p.requiredApprovals, p.approverRole, p.excludeRequester ? 1 : 0);
  }
}
