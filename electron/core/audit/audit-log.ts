// The append-only, hash-chained audit log. Each entry holds the previous entry's hash; a
// checkpoint is a principal's token signature over one entry's hash, so editing, deleting or
// reordering entries is found by verify(). Entries never hold secret values.
import { createHash } from 'node:crypto';
import { TesseraError, type AuditCheckpointView, type AuditEntryView, type AuditVerification } from '../../../shared/contract/index.ts';
import { verifySignature, type SignatureAlgorithm, type TokenSignature } from '../hsm/index.ts';
import { transaction, type Database } from '../store/index.ts';
import type { PrincipalRecord } from '../store/index.ts';
import { canonicalJson } from '../../../shared/domain/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);
const ENTRY_DOMAIN = 'tessera.audit.v1\n';
const CHECKPOINT_DOMAIN = 'tessera.audit.checkpoint.v1\n';

export type AuditDetails = AuditEntryView['details'];

export interface AuditInput {
  actor: string;
  action: string;
  subject: string;
  outcome?: AuditEntryView['outcome'];
  details?: AuditDetails;
}

interface EntryRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  outcome: AuditEntryView['outcome'];
  details: string;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  seq: number;
  hash: string;
  time: string;
  principal: string;
  key_fingerprint: string;
  algorithm: string;
  signature: Uint8Array;
}

/** hash = SHA-256 hex of "tessera.audit.v1\n" || canonical JSON of every field but the hash. */
export function entryHash(e: Omit<AuditEntryView, 'hash'>): string {
  const body = canonicalJson({
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    outcome: e.outcome,
    details: e.details,
    prevHash: e.prevHash,
  });
  return createHash('sha256')
    .update(ENTRY_DOMAIN + body, 'utf8')
    .digest('hex');
}

/** The bytes a checkpoint signs: "tessera.audit.checkpoint.v1\n<seq>\n<hash>". */
export function checkpointMessage(seq: number, hash: string): Buffer {
  return Buffer.from(`${CHECKPOINT_DOMAIN}${seq}\n${hash}`, 'utf8');
}

const toView = (r: EntryRow): AuditEntryView => ({
  seq: r.seq,
  time: r.time,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  outcome: r.outcome,
  details: JSON.parse(r.details) as AuditDetails,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class AuditLog {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Appends one entry; joins the caller's transaction so the entry commits with the change. */
  append(input: AuditInput, now = new Date().toISOString()): AuditEntryView {
    return transaction(this.db, () => {
      const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const base = {
        seq: (last?.seq ?? 0) + 1,
        time: now,
        actor: input.actor,
        action: input.action,
        subject: input.subject,
        outcome: input.outcome ?? 'ok',
        details: input.details ?? {},
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const entry: AuditEntryView = { ...base, hash: entryHash(base) };
      this.db
        .prepare('INSERT INTO audit_log (seq, time, actor, action, subject, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.seq, entry.time, entry.actor, entry.action, entry.subject, entry.outcome, canonicalJson(entry.details), entry.prevHash, entry.hash);
      return entry;
    });
  }

  list(afterSeq = 0, limit = 1000): AuditEntryView[] {
    return (this.db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as unknown as EntryRow[]).map(toView);
  }

  latest(): AuditEntryView | null {
    const row = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as EntryRow | undefined;
    return row ? toView(row) : null;
  }

  /** Signs the latest entry's hash with the principal's token key. */
  async checkpoint(
    principal: PrincipalRecord,
    sign: (message: Buffer) => Promise<TokenSignature>,
    now = new Date().toISOString(),
  ): Promise<AuditCheckpointView> {
    const last = this.latest();
    if (!last) throw new TesseraError('NOT_FOUND', 'The audit log is empty: there is nothing to sign yet.');
    const signature = await sign(checkpointMessage(last.seq, last.hash));
    if (signature.keyFingerprint !== principal.keyFingerprint) {
      throw new TesseraError('FORBIDDEN', `The key that signed is not principal "${principal.name}"'s registered signing key.`);
    }
    this.db
      .prepare('INSERT OR REPLACE INTO audit_checkpoints (seq, hash, time, principal, key_fingerprint, algorithm, signature) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(last.seq, last.hash, now, principal.name, signature.keyFingerprint, signature.algorithm, signature.signature);
    return { seq: last.seq, hash: last.hash, principal: principal.name, algorithm: signature.algorithm, time: now };
  }

  /** Walks the chain and checks every checkpoint; reports the first break. */
  verify(principals: (name: string) => PrincipalRecord | null): AuditVerification {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as unknown as EntryRow[];
    const checkpoints = this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq').all() as unknown as CheckpointRow[];
    const result = (firstBroken: AuditVerification['firstBroken'], signaturesVerified: number): AuditVerification => ({
      ok: firstBroken === null,
      entries: rows.length,
      checkpoints: checkpoints.length,
      signaturesVerified,
      firstBroken,
    });
    let prev = GENESIS_HASH;
    const hashes = new Map<number, string>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const expectedSeq = i + 1;
      if (row.seq !== expectedSeq)
        return result({ seq: expectedSeq, reason: `entry ${expectedSeq} is missing (the next entry is ${row.seq}): entries were deleted` }, 0);
      let entry: AuditEntryView;
      try {
        entry = toView(row);
      } catch {
        return result({ seq: row.seq, reason: `entry ${row.seq} has unreadable details` }, 0);
      }
      if (entry.prevHash !== prev)
        return result(
          {
            seq: row.seq,
            reason: `entry ${row.seq} does not follow entry ${row.seq - 1} (previous-hash mismatch): entries were deleted, inserted or reordered`,
          },
          0,
        );
      const { hash: _stored, ...body } = entry;
      if (entryHash(body) !== row.hash) return result({ seq: row.seq, reason: `entry ${row.seq} was changed after it was written (hash mismatch)` }, 0);
      hashes.set(row.seq, row.hash);
      prev = row.hash;
    }
    let verified = 0;
    for (const c of checkpoints) {
      const at = hashes.get(c.seq);
      if (at === undefined)
        return result({ seq: c.seq, reason: `checkpoint ${c.seq} signs an entry that is no longer in the log: entries were deleted` }, verified);
      if (at !== c.hash) return result({ seq: c.seq, reason: `checkpoint ${c.seq} signs a different hash than entry ${c.seq} holds` }, verified);
      const principal = principals(c.principal);
      if (!principal || principal.keyFingerprint !== c.key_fingerprint)
        return result({ seq: c.seq, reason: `checkpoint ${c.seq} is signed by a key that is not principal "${c.principal}"'s` }, verified);
      if (!verifySignature(Buffer.from(principal.signingSpki), c.algorithm as SignatureAlgorithm, checkpointMessage(c.seq, c.hash), Buffer.from(c.signature))) {
        return result({ seq: c.seq, reason: `checkpoint ${c.seq}'s signature by "${c.principal}" does not verify` }, verified);
      }
      verified++;
    }
    return result(null, verified);
  }

  /** JSON Lines: one {"type":"entry",…} per entry, then one {"type":"checkpoint",…} per checkpoint. */
  exportJsonl(): { jsonl: string; entries: number } {
    const entries = this.list(0, Number.MAX_SAFE_INTEGER);
    const checkpoints = this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq').all() as unknown as CheckpointRow[];
    const lines = [
      ...entries.map((e) => JSON.stringify({ type: 'entry', ...e })),
      ...checkpoints.map((c) =>
        JSON.stringify({
          type: 'checkpoint',
          seq: c.seq,
          hash: c.hash,
          time: c.time,
          principal: c.principal,
          keyFingerprint: c.key_fingerprint,
          algorithm: c.algorithm,
          signature: Buffer.from(c.signature).toString('base64'),
        }),
      ),
    ];
    return { jsonl: lines.length ? `${lines.join('\n')}\n` : '', entries: entries.length };
  }
}
