// The signed chain of principals, roles and approval policies. Every record is signed by a
// security officer's token key and holds the previous record's hash; the first (genesis) record
// is self-signed by the vault's first security officer, whose fingerprint and genesis hash are
// also pinned in trust-anchor.json in the data dir. Every check replays the chain from the
// anchor, and rows of the vault's principals and approval_policies tables that the chain does
// not back are reported, so a row inserted or edited directly in the database is refused.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError, type Role, type TrustPolicyView, type TrustPrincipalView, type TrustStatus } from '../../../shared/contract/index.ts';
import { canonicalJson } from '../../../shared/domain/plan.ts';
import { selectorRule } from '../../../shared/domain/labels.ts';
import { dnsSubdomainRule, check } from '../../../shared/domain/names.ts';
import { parsePublicKey, spkiFingerprint, spkiPem, verifySignature, type SignatureAlgorithm, type TokenSignature } from '../hsm/index.ts';
import { transaction, type Database } from '../store/index.ts';
import type { AuditLog } from '../audit/index.ts';
import {
  recipientIdentityProblem,
  type AdoptedVersion,
  type ChainRecipient,
  type RecipientStatement,
  type VaultTrust,
  type VaultTrustView,
} from '../vault/index.ts';
import type { Signer } from './signer.ts';

const TRUST_DOMAIN = 'tessera.trust.v1\n';
export const ANCHOR_FILE = 'trust-anchor.json';

export interface PrincipalStatement {
  name: string;
  roles: Role[];
  /** SPKI DER, base64. */
  spki: string;
  keyFingerprint: string;
}

export interface PolicyStatement {
  name: string;
  selector: string;
  requiredApprovals: number;
  approverRole: Role;
  excludeRequester: boolean;
}

/** The app owners a security officer named: they may write and reveal that app's secrets. */
export interface OwnersStatement {
  /** The app's name. */
  name: string;
  /** Principal names, sorted. */
  owners: string[];
}

/**
 * A security officer's review of an existing (unsigned) vault, signed once: its recipients and
 * versions (with their content digests) are backed from then on. Each section is a list of one
 * kind of row; a new kind of adoptable row is a new optional section.
 */
export interface AdoptStatement {
  name: 'vault';
  recipients: RecipientStatement[];
  versions: AdoptedVersion[];
}

type Statement = PrincipalStatement | PolicyStatement | RecipientStatement | OwnersStatement | AdoptStatement;

/** The kinds of record the replay knows. */
export const RECORD_KINDS = ['genesis', 'principal', 'policy', 'recipient', 'owners', 'adopt'] as const;
type RecordKind = (typeof RECORD_KINDS)[number];

interface RecordBody {
  format: 'tessera.trust/v1';
  seq: number;
  prev: string;
  kind: RecordKind;
  action: string;
  statement: Statement;
  signer: string;
  signerFingerprint: string;
  at: string;
}

interface RecordRow {
  seq: number;
  kind: RecordBody['kind'];
  subject: string;
  body: string;
  hash: string;
  signer: string;
  key_fingerprint: string;
  algorithm: string;
  signature: Uint8Array;
}

export interface Anchor {
  principal: string;
  keyFingerprint: string;
  genesisHash: string;
  /** The last record this host wrote: a chain cut short below it is refused. */
  head: { seq: number; hash: string };
}

export interface TrustedPrincipal extends PrincipalStatement {
  spkiDer: Buffer;
  recordSeq: number;
  signedBy: string;
}

export interface TrustedPolicy extends PolicyStatement {
  recordSeq: number;
  signedBy: string;
}

export interface TrustState extends VaultTrustView {
  principals: Map<string, TrustedPrincipal>;
  policies: Map<string, TrustedPolicy>;
  recipients: Map<string, ChainRecipient>;
  owners: Map<string, { owners: string[]; recordSeq: number; signedBy: string }>;
  adoptedVersions: Map<string, { contentDigest: string; recordSeq: number; signedBy: string }>;
  adopted: boolean;
  anchor: Anchor | null;
  records: number;
  problems: string[];
  /** Rows of the vault's tables and whether the chain backs them. */
  rowConsistency: { principals: Map<string, boolean>; policies: Map<string, boolean> };
}

const sortRoles = (roles: readonly Role[]) => [...new Set(roles)].sort();

export function recordMessage(body: RecordBody): Buffer {
  return Buffer.from(TRUST_DOMAIN + canonicalJson(body), 'utf8');
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export class TrustStore implements VaultTrust {
  private readonly db: Database;
  private readonly anchorFile: string;
  private readonly signer: Signer;
  private readonly audit: AuditLog;
  private readonly actor: () => string;

  constructor(options: { db: Database; dataDir: string; signer: Signer; audit: AuditLog; actor: () => string }) {
    this.db = options.db;
    this.anchorFile = join(options.dataDir, ANCHOR_FILE);
    this.signer = options.signer;
    this.audit = options.audit;
    this.actor = options.actor;
  }

  private readAnchor(): Anchor | null {
    if (!existsSync(this.anchorFile)) return null;
    try {
      return JSON.parse(readFileSync(this.anchorFile, 'utf8')) as Anchor;
    } catch {
      throw new TesseraError('TAMPERED', `${this.anchorFile} is unreadable; the trust anchor cannot be checked. Restore it from a backup.`);
    }
  }

  private writeAnchor(anchor: Anchor): void {
    const temp = `${this.anchorFile}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(anchor, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.anchorFile);
  }

  private rows(): RecordRow[] {
    return this.db.prepare('SELECT * FROM trust_records ORDER BY seq').all() as unknown as RecordRow[];
  }

  /** Replays the chain from the anchor and compares the vault's tables with it. Never throws for a broken chain: it lists problems. */
  state(): TrustState {
    const anchor = this.readAnchor();
    const rows = this.rows();
    const principals = new Map<string, TrustedPrincipal>();
    const policies = new Map<string, TrustedPolicy>();
    const problems: string[] = [];
    const state: TrustState = {
      principals,
      policies,
      recipients: new Map(),
      owners: new Map(),
      adoptedVersions: new Map(),
      adopted: false,
      anchor,
      records: rows.length,
      problems,
      rowConsistency: { principals: new Map(), policies: new Map() },
    };
    if (rows.length > 0 && !anchor)
      problems.push(`the trust anchor file ${ANCHOR_FILE} is missing from the data dir, so the chain cannot be tied to the first security officer`);
    if (rows.length === 0 && anchor) problems.push(`the trust anchor names "${anchor.principal}" but the database holds no signed records: they were deleted`);
    let prev = '';
    for (let i = 0; i < rows.length && problems.length === 0; i++) {
      const row = rows[i]!;
      const where = `trust record ${row.seq}`;
      if (row.seq !== i + 1) {
        problems.push(`${where} follows a gap (record ${i + 1} is missing): records were deleted`);
        break;
      }
      let body: RecordBody;
      try {
        body = JSON.parse(row.body) as RecordBody;
      } catch {
        problems.push(`${where} is unreadable`);
        break;
      }
      const message = recordMessage(body);
      if (sha256(message) !== row.hash || body.seq !== row.seq || body.prev !== prev || body.kind !== row.kind) {
        problems.push(`${where} was changed, reordered or does not follow record ${row.seq - 1}`);
        break;
      }
      let signerKey: Buffer;
      if (body.kind === 'genesis') {
        const st = body.statement as PrincipalStatement;
        signerKey = Buffer.from(st.spki, 'base64');
        if (
          i !== 0 ||
          st.name !== body.signer ||
          !anchor ||
          st.keyFingerprint !== anchor.keyFingerprint ||
          row.hash !== anchor.genesisHash ||
          spkiFingerprint(signerKey) !== st.keyFingerprint
        ) {
          problems.push(`${where}: the genesis record does not match the pinned trust anchor (first security officer's key fingerprint and genesis hash)`);
          break;
        }
      } else {
        const signer = principals.get(body.signer);
        if (!signer || !signer.roles.includes('security-officer')) {
          problems.push(`${where} is signed by "${body.signer}", who was not a security officer at that point of the chain`);
          break;
        }
        if (signer.keyFingerprint !== body.signerFingerprint) {
          problems.push(`${where} names a key that is not "${body.signer}"'s`);
          break;
        }
        signerKey = signer.spkiDer;
      }
      if (
        body.signerFingerprint !== row.key_fingerprint ||
        !verifySignature(signerKey, row.algorithm as SignatureAlgorithm, message, Buffer.from(row.signature))
      ) {
        problems.push(`${where}'s signature by "${body.signer}" does not verify`);
        break;
      }
      if (body.kind === 'policy') {
        const st = body.statement as PolicyStatement;
        policies.set(st.name, { ...st, recordSeq: row.seq, signedBy: body.signer });
      } else if (body.kind === 'genesis' || body.kind === 'principal') {
        const st = body.statement as PrincipalStatement;
        const spkiDer = Buffer.from(st.spki, 'base64');
        if (spkiFingerprint(spkiDer) !== st.keyFingerprint) {
          problems.push(`${where}: principal "${st.name}"'s key fingerprint does not match its key`);
          break;
        }
        principals.set(st.name, { ...st, roles: sortRoles(st.roles), spkiDer, recordSeq: row.seq, signedBy: body.signer });
      } else if (body.kind === 'recipient') {
        const st = body.statement as RecipientStatement;
        const bad = recipientIdentityProblem(st);
        if (bad) {
          problems.push(`${where}: recipient ${st.fingerprint.slice(0, 16)}… ("${st.label}"): ${bad}`);
          break;
        }
        state.recipients.set(st.fingerprint, { statement: st, recordSeq: row.seq, signedBy: body.signer });
      } else if (body.kind === 'owners') {
        const st = body.statement as OwnersStatement;
        state.owners.set(st.name, { owners: [...st.owners], recordSeq: row.seq, signedBy: body.signer });
      } else if (body.kind === 'adopt') {
        const st = body.statement as AdoptStatement;
        const bad = st.recipients.map((r) => [r, recipientIdentityProblem(r)] as const).find(([, why]) => why !== null);
        if (bad) {
          problems.push(`${where}: adopted recipient ${bad[0].fingerprint.slice(0, 16)}… ("${bad[0].label}"): ${bad[1]}`);
          break;
        }
        for (const r of st.recipients)
          if (!state.recipients.has(r.fingerprint)) state.recipients.set(r.fingerprint, { statement: r, recordSeq: row.seq, signedBy: body.signer });
        for (const v of st.versions) state.adoptedVersions.set(v.versionId, { contentDigest: v.contentDigest, recordSeq: row.seq, signedBy: body.signer });
        state.adopted = true;
      } else {
        // The table no longer constrains kinds (0004): a kind this version does not know grants nothing and stops the replay.
        problems.push(`${where} has a kind ("${String(body.kind)}") this version of Tessera does not know`);
        break;
      }
      prev = row.hash;
    }
    if (problems.length === 0 && anchor && rows.length > 0) {
      const head = rows[anchor.head.seq - 1];
      if (!head || head.hash !== anchor.head.hash)
        problems.push(`the chain ends before record ${anchor.head.seq}, which the trust anchor file pins: signed records were deleted`);
    }
    this.compareTables(state);
    return state;
  }

  private compareTables(state: TrustState): void {
    const principalRows = this.db.prepare('SELECT name, roles, signing_spki, key_fingerprint FROM principals').all() as {
      name: string;
      roles: string;
      signing_spki: Uint8Array;
      key_fingerprint: string;
    }[];
    for (const row of principalRows) {
      const trusted = state.principals.get(row.name);
      let roles: Role[] = [];
      try {
        roles = sortRoles(JSON.parse(row.roles) as Role[]);
      } catch {
        // an unreadable row is as bad as an edited one
      }
      const ok =
        trusted !== undefined &&
        trusted.keyFingerprint === row.key_fingerprint &&
        Buffer.from(row.signing_spki).equals(trusted.spkiDer) &&
        canonicalJson(roles) === canonicalJson(trusted.roles);
      state.rowConsistency.principals.set(row.name, ok);
      if (!ok)
        state.problems.push(`principal "${row.name}" in the database ${trusted ? 'differs from' : 'is not backed by'} a record signed by a security officer`);
    }
    for (const name of state.principals.keys()) {
      if (!principalRows.some((r) => r.name === name)) state.problems.push(`principal "${name}" of the signed chain is missing from the database`);
    }
    const policyRows = this.db.prepare('SELECT name, selector, required_approvals, approver_role, exclude_requester FROM approval_policies').all() as {
      name: string;
      selector: string;
      required_approvals: number;
      approver_role: Role;
      exclude_requester: number;
    }[];
    for (const row of policyRows) {
      const t = state.policies.get(row.name);
      const ok =
        t !== undefined &&
        t.selector === row.selector &&
        t.requiredApprovals === row.required_approvals &&
        t.approverRole === row.approver_role &&
        t.excludeRequester === (row.exclude_requester === 1);
      state.rowConsistency.policies.set(row.name, ok);
      if (!ok) state.problems.push(`policy "${row.name}" in the database ${t ? 'differs from' : 'is not backed by'} a record signed by a security officer`);
    }
    for (const name of state.policies.keys()) {
      if (!policyRows.some((r) => r.name === name))
        state.problems.push(`policy "${name}" of the signed chain is missing from the database (deleting it would drop its approvals)`);
    }
  }

  /** The chain's state, or TAMPERED naming every problem. What rollouts rely on. */
  verified(state = this.state()): TrustState {
    if (state.problems.length > 0) {
      throw new TesseraError(
        'TAMPERED',
        `The signed principals and policies do not check out: ${state.problems.join('; ')}. Nothing was executed; restore the database (or the anchor file) from a backup.`,
        {
          details: { problems: state.problems.length },
        },
      );
    }
    return state;
  }

  /** The vault's view (VaultTrust): null while no chain exists at all, TAMPERED when it does not check out. */
  view(): TrustState | null {
    const state = this.state();
    if (state.records === 0 && !state.anchor) return null;
    return this.verified(state);
  }

  async signAs(principal: string, message: Buffer): Promise<TokenSignature> {
    const p = this.verified().principals.get(principal);
    if (!p) throw new TesseraError('NOT_FOUND', `There is no principal named "${principal}" in the signed chain.`, { field: 'as' });
    const signature = await this.signer.sign(p.keyFingerprint, `principal "${principal}"`, message);
    if (signature.keyFingerprint !== p.keyFingerprint || !verifySignature(p.spkiDer, signature.algorithm, message, signature.signature))
      throw new TesseraError('FORBIDDEN', `"${principal}"'s token did not produce a valid signature with their registered key.`, { field: 'as' });
    return signature;
  }

  async signRecipient(action: 'recipient.add' | 'recipient.retire', statement: RecipientStatement, signer: string, apply: () => void): Promise<void> {
    const bad = recipientIdentityProblem(statement);
    if (bad) throw new TesseraError('INVALID_INPUT', `Recipient ${statement.fingerprint.slice(0, 16)}… ("${statement.label}"): ${bad}.`);
    await this.append('recipient', action, statement, signer, apply, 'add or retire recipients');
  }

  /** Names the owners of an app: they may write its versions and reveal them. */
  async setOwners(app: string, owners: string[], signer: string, apply: () => void = () => {}): Promise<OwnersStatement> {
    check('app', dnsSubdomainRule(app));
    const state = this.verified();
    const sorted = [...new Set(owners)].sort();
    const unknown = sorted.find((o) => !state.principals.has(o));
    if (unknown) throw new TesseraError('NOT_FOUND', `There is no principal named "${unknown}" in the signed chain.`, { field: 'owners' });
    const statement: OwnersStatement = { name: app, owners: sorted };
    await this.append('owners', 'owners.set', statement, signer, apply, 'name app owners');
    return statement;
  }

  /** Signs the review of an existing vault once: its recipients and versions are backed from here on. */
  async adopt(statement: AdoptStatement, signer: string, apply: () => void = () => {}): Promise<void> {
    await this.append('adopt', 'vault.adopt', statement, signer, apply, 'adopt an existing vault');
  }

  /** The chain's status; the vault's mode is added by the caller that knows it. */
  status(): Omit<TrustStatus, 'mode'> {
    const state = this.state();
    return {
      adopted: state.adopted,
      bootstrapped: state.records > 0,
      anchor: state.anchor ? { principal: state.anchor.principal, keyFingerprint: state.anchor.keyFingerprint, genesisHash: state.anchor.genesisHash } : null,
      records: state.records,
      ok: state.problems.length === 0,
      problems: state.problems,
    };
  }

  principalViews(state = this.state()): TrustPrincipalView[] {
    return [...state.principals.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => ({
        name: p.name,
        roles: p.roles,
        keyFingerprint: p.keyFingerprint,
        publicKeyPem: spkiPem(p.spkiDer),
        recordSeq: p.recordSeq,
        signedBy: p.signedBy,
        consistent: state.rowConsistency.principals.get(p.name) === true,
      }));
  }

  policyViews(state = this.state()): TrustPolicyView[] {
    return [...state.policies.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => ({ ...p, consistent: state.rowConsistency.policies.get(p.name) === true }));
  }

  /** The genesis record: the first security officer signs their own registration. */
  async bootstrap(name: string, spki: Buffer, sign: (message: Buffer) => Promise<TokenSignature>): Promise<TrustPrincipalView> {
    check('name', dnsSubdomainRule(name));
    if (this.rows().length > 0 || this.readAnchor())
      throw new TesseraError('CONFLICT', 'This vault already has its first security officer; new principals are registered by a security officer.');
    const statement: PrincipalStatement = { name, roles: ['security-officer'], spki: spki.toString('base64'), keyFingerprint: spkiFingerprint(spki) };
    const body: RecordBody = {
      format: 'tessera.trust/v1',
      seq: 1,
      prev: '',
      kind: 'genesis',
      action: 'bootstrap',
      statement,
      signer: name,
      signerFingerprint: statement.keyFingerprint,
      at: new Date().toISOString(),
    };
    const message = recordMessage(body);
    const signature = await sign(message);
    if (signature.keyFingerprint !== statement.keyFingerprint) throw new TesseraError('FORBIDDEN', 'The token signed with a different key than the one named.');
    const hash = sha256(message);
    transaction(this.db, () => {
      this.insert(body, hash, signature);
      this.upsertPrincipal(statement, spki);
      this.audit.append({
        actor: this.actor(),
        action: 'trust.bootstrap',
        subject: `principal/${name}`,
        details: { keyFingerprint: statement.keyFingerprint, genesisHash: hash, signed: true },
      });
    });
    this.writeAnchor({ principal: name, keyFingerprint: statement.keyFingerprint, genesisHash: hash, head: { seq: 1, hash } });
    return this.principalViews().find((p) => p.name === name)!;
  }

  /** Appends a record signed by `signerName` (a security officer whose key is on an unlocked token). */
  private async append(
    kind: Exclude<RecordKind, 'genesis'>,
    action: string,
    statement: Statement,
    signerName: string,
    apply: () => void,
    what = 'register principals, grant roles or change policies',
  ): Promise<void> {
    const state = this.verified();
    const signer = state.principals.get(signerName);
    if (!signer) throw new TesseraError('NOT_FOUND', `There is no principal named "${signerName}" in the signed chain.`, { field: 'signer' });
    if (!signer.roles.includes('security-officer')) {
      throw new TesseraError('FORBIDDEN', `"${signerName}" is not a security officer; only a security officer may ${what}.`, { field: 'signer' });
    }
    const rows = this.rows();
    const last = rows[rows.length - 1]!;
    const body: RecordBody = {
      format: 'tessera.trust/v1',
      seq: last.seq + 1,
      prev: last.hash,
      kind,
      action,
      statement,
      signer: signerName,
      signerFingerprint: signer.keyFingerprint,
      at: new Date().toISOString(),
    };
    const message = recordMessage(body);
    const signature = await this.signer.sign(signer.keyFingerprint, `security officer "${signerName}"`, message);
    const hash = sha256(message);
    transaction(this.db, () => {
      const now = this.db.prepare('SELECT MAX(seq) AS seq FROM trust_records').get() as { seq: number };
      if (now.seq !== last.seq) throw new TesseraError('CONFLICT', 'Another change to principals or policies was signed at the same time; retry.');
      this.insert(body, hash, signature);
      apply();
      this.audit.append({ actor: signerName, action: `trust.${action}`, subject: `${kind}/${statement.name}`, details: { seq: body.seq, hash, signed: true } });
    });
    const anchor = this.readAnchor()!;
    this.writeAnchor({ ...anchor, head: { seq: body.seq, hash } });
  }

  async addPrincipal(name: string, roles: Role[], spki: Buffer, signer: string): Promise<TrustPrincipalView> {
    check('name', dnsSubdomainRule(name));
    const state = this.verified();
    if (state.principals.has(name))
      throw new TesseraError('CONFLICT', `A principal named "${name}" exists already; change its roles with grantRoles.`, { field: 'name' });
    const statement: PrincipalStatement = { name, roles: sortRoles(roles), spki: spki.toString('base64'), keyFingerprint: spkiFingerprint(spki) };
    await this.append('principal', 'principal.add', statement, signer, () => this.upsertPrincipal(statement, spki));
    return this.principalViews().find((p) => p.name === name)!;
  }

  async grantRoles(name: string, roles: Role[], signer: string): Promise<TrustPrincipalView> {
    const state = this.verified();
    const p = state.principals.get(name);
    if (!p) throw new TesseraError('NOT_FOUND', `There is no principal named "${name}" in the signed chain.`, { field: 'name' });
    const statement: PrincipalStatement = { name, roles: sortRoles(roles), spki: p.spki, keyFingerprint: p.keyFingerprint };
    if (
      name === state.anchor?.principal &&
      !statement.roles.includes('security-officer') &&
      ![...state.principals.values()].some((o) => o.name !== name && o.roles.includes('security-officer'))
    ) {
      throw new TesseraError('CONFLICT', `"${name}" is the last security officer; grant the role to someone else first.`);
    }
    await this.append('principal', 'principal.roles', statement, signer, () => this.upsertPrincipal(statement, p.spkiDer));
    return this.principalViews().find((x) => x.name === name)!;
  }

  async setPolicy(policy: PolicyStatement, signer: string): Promise<TrustPolicyView> {
    check('name', dnsSubdomainRule(policy.name));
    check('selector', selectorRule(policy.selector));
    await this.append('policy', 'policy.set', policy, signer, () =>
      this.db
        .prepare(
          'INSERT INTO approval_policies (name, selector, required_approvals, approver_role, exclude_requester) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET selector = excluded.selector, required_approvals = excluded.required_approvals, approver_role = excluded.approver_role, exclude_requester = excluded.exclude_requester',
        )
        .run(policy.name, policy.selector, policy.requiredApprovals, policy.approverRole, policy.excludeRequester ? 1 : 0),
    );
    return this.policyViews().find((p) => p.name === policy.name)!;
  }

  private insert(body: RecordBody, hash: string, signature: TokenSignature): void {
    this.db
      .prepare('INSERT INTO trust_records (seq, kind, subject, body, hash, signer, key_fingerprint, algorithm, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        body.seq,
        body.kind,
        body.statement.name,
        JSON.stringify(body),
        hash,
        body.signer,
        signature.keyFingerprint,
        signature.algorithm,
        signature.signature,
      );
  }

  private upsertPrincipal(st: PrincipalStatement, spki: Buffer): void {
    this.db
      .prepare(
        'INSERT INTO principals (name, roles, signing_spki, key_fingerprint, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET roles = excluded.roles, signing_spki = excluded.signing_spki, key_fingerprint = excluded.key_fingerprint',
      )
      .run(st.name, JSON.stringify(st.roles), spki, st.keyFingerprint, new Date().toISOString());
  }
}

/** SPKI of a principal's key, from a PEM or from a key on an unlocked token. */
export function spkiFromPem(pem: string): Buffer {
  return parsePublicKey(pem).spki;
}
