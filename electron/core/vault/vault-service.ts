// The vault: apps and their secrets, immutable versions sealed under a fresh data key each,
// recipients and rotation, reveal, principals and policies. Plaintext lives only inside one
// call, in Buffers that are zeroed before the call returns. Every change is audited.
// Power comes from the signed chain (trust-port.ts), never from rows alone: data keys are wrapped
// only for recipients a security officer signed, every version is signed by its author and
// checked before its data key is unwrapped, and reveal and rewrap need a role proven on a token.
import { randomUUID } from 'node:crypto';
import {
  TesseraError,
  type AppSummary,
  type AppTargeting,
  type AppView,
  type ClusterView,
  type PolicyView,
  type PrincipalView,
  type RecipientView,
  type RevealedVersion,
  type RewrapProgressEvent,
  type RewrapResult,
  type RewrapStatus,
  type Role,
  type SecretView,
  type VersionView,
  type WorkloadRef,
  type AuditCheckpointView,
  type VersionIntegrity,
  type AdoptReview,
} from '../../../shared/contract/index.ts';
import { check, displayNameRule, dnsSubdomainRule, throwFirst } from '../../../shared/domain/names.ts';
import { labelsRule, selectorRule } from '../../../shared/domain/labels.ts';
import { appSpecViolations, keyNameViolations, secretSpecViolations, versionViolations, type Delivery } from '../../../shared/domain/secret-rules.ts';
import { AuditLog, type AuditDetails } from '../audit/index.ts';
import { parsePublicKey, spkiFingerprint, spkiPem, recipientFromPublicKey, verifySignature, type SignatureAlgorithm } from '../hsm/index.ts';
import type { Logger } from '../log/logger.ts';
import {
  AppRepository,
  ClusterRepository,
  PrincipalRepository,
  RecipientRepository,
  SecretRepository,
  transaction,
  type AppRecord,
  type Database,
  type RecipientRecord,
  type SecretRecord,
  type VersionRecord,
  type VersionSignatureRow,
  type WrappedKeyRow,
} from '../store/index.ts';
import { FORMAT_TAG, decodePayload, encodePayload, newDek, open, seal, wipe, type SecretEntry, type VersionBinding } from './envelope.ts';
import { entriesFromEnvFile, entriesFromManifest } from './import-formats.ts';
import { KeyFinder, recordIdentityProblem, type TokenAccess } from './keyring.ts';
import { callMessage, callStatement, contentDigest, versionMessage, type VersionStatement } from './signed-messages.ts';
import type { ChainRecipient, RecipientStatement, VaultTrust, VaultTrustView } from './trust-port.ts';

export interface VaultServiceOptions {
  db: Database;
  /** The audit log over the same database (one is made over db when absent). */
  audit?: AuditLog | undefined;
  log: Logger;
  tokens: () => TokenAccess;
  /** Who is acting (audit entries). */
  actor: () => string;
  /** The signed chain: the root of every grant. */
  trust: () => VaultTrust;
  /** The principal acting when a call names none (TESSERA_PRINCIPAL). */
  defaultPrincipal?: () => string | undefined;
  /**
   * The explicit unsigned single-user demo (TESSERA_UNSIGNED_DEMO=1): while the vault has no signed
   * chain, recipients and versions are written unsigned. Never in effect once a chain exists.
   */
  demo?: boolean;
  onRewrapProgress?: (event: RewrapProgressEvent) => void;
}

export interface NewApp {
  name: string;
  namespace: string;
  description?: string | undefined;
  owners?: string[] | undefined;
  targeting?: AppTargeting | undefined;
}

export interface SecretDefinition {
  name: string;
  delivery: Delivery;
  mountPath?: string | undefined;
  workload?: WorkloadRef | undefined;
  createNamespace?: boolean | undefined;
  keyNames?: string[] | undefined;
}

/** One app as it is to be provisioned: targeting, where it is published, and the latest version of each secret (names only). */
export interface PublishedApp {
  app: string;
  namespace: string;
  targeting: AppTargeting;
  /** Clusters the app is published on. */
  published: string[];
  secrets: {
    name: string;
    createNamespace: boolean;
    versionId: string;
    keyNames: string[];
    delivery: Delivery;
    mountPath: string | null;
    workload: WorkloadRef | null;
  }[];
}

/** What the Kubernetes layer gets for provisioning: the record and its values, valid only inside the callback. */
export interface OpenedVersion {
  app: AppRecord;
  secret: SecretRecord;
  version: VersionRecord;
  /** Key → value bytes, sorted by key. Zeroed when the callback returns. */
  entries: readonly SecretEntry[];
}

const EMPTY_TARGETING: AppTargeting = { selector: '', include: [], exclude: [] };

type AdoptionRecipient = AdoptReview['recipients'][number];
type AdoptionVersion = AdoptReview['versions'][number];

/** What to do about a vault with no signed chain: said wherever a signed action is refused. */
export const NO_CHAIN =
  'This vault has no security officer yet, so nothing in it is signed: make the first one with "tessera principal bootstrap" (or Bootstrap on the Rollouts page\'s Trust panel), then adopt the existing recipients and versions with "tessera trust adopt".';
/** What to do about unsigned data in a vault that has a chain. */
export const ADOPT_HINT =
  'A security officer reviews and signs the existing vault once with "tessera trust adopt --signer <security officer>" (or Adopt on the Trust panel); until then old versions can be revealed with a token but never provisioned.';

const SAME_KEY_FIELDS = ['kind', 'curve', 'oaepHash', 'aesScheme', 'tokenSerial', 'keyId'] as const;

/** A stored recipient as the signed statement says it is (the row's dates and author are kept for display). */
function fromStatement(c: ChainRecipient, row: RecipientRecord | null): RecipientRecord {
  const st = c.statement;
  return {
    fingerprint: st.fingerprint,
    kind: st.kind,
    label: st.label,
    publicKey: st.spki ? Buffer.from(st.spki, 'base64') : null,
    curve: st.curve,
    oaepHash: st.oaepHash,
    aesScheme: st.aesScheme,
    tokenSerial: st.tokenSerial,
    keyId: st.keyId,
    status: st.status,
    addedAt: row?.addedAt ?? '',
    addedBy: c.signedBy,
    retiredAt: row?.retiredAt ?? null,
  };
}

function toStatement(r: RecipientRecord): RecipientStatement {
  return {
    name: r.fingerprint,
    fingerprint: r.fingerprint,
    kind: r.kind,
    label: r.label,
    spki: r.publicKey ? Buffer.from(r.publicKey).toString('base64') : null,
    curve: r.curve,
    oaepHash: r.oaepHash,
    aesScheme: r.aesScheme,
    tokenSerial: r.tokenSerial,
    keyId: r.keyId,
    status: r.status,
  };
}

/** The row holds the key material the signed record states. */
function rowMatches(row: RecipientRecord, signed: RecipientRecord): boolean {
  if (SAME_KEY_FIELDS.some((f) => row[f] !== signed[f])) return false;
  const a = row.publicKey ? Buffer.from(row.publicKey) : null;
  const b = signed.publicKey ? Buffer.from(signed.publicKey) : null;
  return a === null || b === null ? a === b : a.equals(b);
}

/** A principal may write and reveal an app's secrets: a security officer, or an owner the chain names. */
export function mayUseApp(view: VaultTrustView, principal: string, app: string): boolean {
  const p = view.principals.get(principal);
  if (!p) return false;
  return p.roles.includes('security-officer') || (view.owners.get(app)?.owners.includes(principal) ?? false);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return a.length === b.length && b.every((x) => s.has(x));
}

export class VaultService {
  readonly db: Database;
  readonly audit: AuditLog;
  readonly apps: AppRepository;
  readonly secrets: SecretRepository;
  readonly recipients: RecipientRepository;
  readonly clusters: ClusterRepository;
  readonly principals: PrincipalRepository;
  private readonly options: VaultServiceOptions;
  private readonly log: Logger;

  constructor(options: VaultServiceOptions) {
    this.options = options;
    this.db = options.db;
    this.log = options.log;
    this.audit = options.audit ?? new AuditLog(this.db);
    this.apps = new AppRepository(this.db);
    this.secrets = new SecretRepository(this.db);
    this.recipients = new RecipientRepository(this.db);
    this.clusters = new ClusterRepository(this.db);
    this.principals = new PrincipalRepository(this.db);
  }

  /** Who is acting: TESSERA_ACTOR, else the OS user. */
  actor(): string {
    return this.options.actor();
  }

  private record(action: string, subject: string, details: AuditDetails = {}, outcome: 'ok' | 'refused' | 'failed' = 'ok') {
    return this.audit.append({ actor: this.actor(), action, subject, outcome, details });
  }

  // ---- apps ----

  private requireApp(ref: string): AppRecord {
    const app = this.apps.find(ref);
    if (!app) throw new TesseraError('NOT_FOUND', `There is no app named "${ref}".`, { details: { app: ref } });
    return app;
  }

  hasApp(ref: string): boolean {
    return this.apps.find(ref) !== null;
  }

  /** The key names of a version, or null when there is no such version. */
  versionKeyNames(versionId: string): string[] | null {
    return this.secrets.versionById(versionId)?.keyNames ?? null;
  }

  private requireSecret(app: AppRecord, name: string): SecretRecord {
    const secret = this.secrets.find(app.id, name);
    if (!secret) throw new TesseraError('NOT_FOUND', `App "${app.name}" has no secret named "${name}".`, { details: { app: app.name, secret: name } });
    return secret;
  }

  private validateTargeting(t: AppTargeting) {
    check('targeting.selector', selectorRule(t.selector));
    t.include.forEach((c, i) => check(`targeting.include.${i}`, c.length === 0 ? 'must not be empty' : null));
    t.exclude.forEach((c, i) => check(`targeting.exclude.${i}`, c.length === 0 ? 'must not be empty' : null));
    const both = t.include.find((c) => t.exclude.includes(c));
    if (both) throw new TesseraError('INVALID_INPUT', `"targeting": cluster "${both}" cannot be both included and excluded.`, { field: 'targeting' });
  }

  listApps(): AppSummary[] {
    return this.apps.list().map((a) => this.summary(a));
  }

  private summary(a: AppRecord): AppSummary {
    return {
      id: a.id,
      name: a.name,
      namespace: a.namespace,
      description: a.description,
      owners: a.owners,
      targeting: a.targeting,
      secretCount: this.secrets.count(a.id),
      updatedAt: a.updatedAt,
    };
  }

  getApp(ref: string): AppView {
    const app = this.requireApp(ref);
    return {
      ...this.summary(app),
      createdAt: app.createdAt,
      secrets: this.secrets.listForApp(app.id).map((s) => this.secretView(s)),
      publications: this.apps.publications(app.id),
    };
  }

  secretView(s: SecretRecord): SecretView {
    const latest = this.secrets.version(s.id);
    return {
      id: s.id,
      appId: s.appId,
      name: s.name,
      delivery: s.delivery,
      mountPath: s.mountPath,
      workload: s.workload,
      createNamespace: s.createNamespace,
      keyNames: s.keyNames,
      latestVersion: latest ? { id: latest.id, number: latest.number, createdAt: latest.createdAt, createdBy: latest.createdBy } : null,
      versionCount: this.secrets.versionCount(s.id),
      updatedAt: s.updatedAt,
    };
  }

  createApp(input: NewApp): AppView {
    throwFirst(appSpecViolations(input));
    const targeting = input.targeting ?? EMPTY_TARGETING;
    this.validateTargeting(targeting);
    if (this.apps.find(input.name)) throw new TesseraError('CONFLICT', `An app named "${input.name}" exists already.`, { field: 'name' });
    const app = transaction(this.db, () => {
      const created = this.apps.create({
        name: input.name,
        namespace: input.namespace,
        description: input.description ?? '',
        owners: input.owners ?? [],
        targeting,
      });
      this.record('app.create', `app/${created.name}`, { namespace: created.namespace });
      return created;
    });
    return this.getApp(app.id);
  }

  updateApp(ref: string, patch: Partial<Pick<AppRecord, 'namespace' | 'description' | 'owners' | 'targeting'>>): AppView {
    const app = this.requireApp(ref);
    const next = {
      namespace: patch.namespace ?? app.namespace,
      description: patch.description ?? app.description,
      owners: patch.owners ?? app.owners,
      targeting: patch.targeting ?? app.targeting,
    };
    throwFirst(appSpecViolations({ name: app.name, namespace: next.namespace }));
    this.validateTargeting(next.targeting);
    transaction(this.db, () => {
      this.apps.update(app.id, next);
      this.record('app.update', `app/${app.name}`, { fields: Object.keys(patch).sort() });
    });
    return this.getApp(app.id);
  }

  deleteApp(ref: string): { deleted: string } {
    const app = this.requireApp(ref);
    transaction(this.db, () => {
      this.apps.delete(app.id);
      this.record('app.delete', `app/${app.name}`);
    });
    return { deleted: app.name };
  }

  setPublication(ref: string, cluster: string, state: 'published' | 'unpublished'): AppView {
    const app = this.requireApp(ref);
    transaction(this.db, () => {
      this.apps.setPublication(app.id, cluster, state, this.actor());
      this.record(`app.${state === 'published' ? 'publish' : 'unpublish'}`, `app/${app.name}`, { cluster });
    });
    return this.getApp(app.id);
  }

  /** Every app with the latest version of each secret that has one: what the Kubernetes layer provisions (names, never values). */
  publishedApps(): PublishedApp[] {
    return this.apps.list().map((app) => ({
      app: app.name,
      namespace: app.namespace,
      targeting: app.targeting,
      published: this.apps
        .publications(app.id)
        .filter((p) => p.state === 'published')
        .map((p) => p.cluster),
      secrets: this.secrets.listForApp(app.id).flatMap((s) => {
        const latest = this.secrets.version(s.id);
        if (!latest) return []; // nothing written yet: nothing to provision
        return [
          {
            name: s.name,
            createNamespace: s.createNamespace,
            versionId: latest.id,
            keyNames: latest.keyNames,
            delivery: s.delivery,
            mountPath: s.mountPath,
            workload: s.workload,
          },
        ];
      }),
    }));
  }

  // ---- secrets ----

  defineSecret(appRef: string, def: SecretDefinition): SecretView {
    const app = this.requireApp(appRef);
    const existing = this.secrets.find(app.id, def.name);
    throwFirst(secretSpecViolations(def));
    const keyNames = def.keyNames ?? existing?.keyNames ?? [];
    if (keyNames.length > 0) throwFirst(keyNameViolations(keyNames, def.delivery, 'keyNames'));
    const secret = transaction(this.db, () => {
      const saved = this.secrets.upsert(app.id, def.name, {
        delivery: def.delivery,
        mountPath: def.mountPath ?? null,
        workload: def.workload ?? null,
        createNamespace: def.createNamespace ?? false,
        keyNames,
      });
      this.record(existing ? 'secret.update' : 'secret.create', `app/${app.name}/secret/${def.name}`, { delivery: def.delivery, keyNames });
      return saved;
    });
    return this.secretView(secret);
  }

  deleteSecret(appRef: string, name: string): { deleted: string } {
    const app = this.requireApp(appRef);
    const secret = this.requireSecret(app, name);
    transaction(this.db, () => {
      this.secrets.delete(secret.id);
      this.record('secret.delete', `app/${app.name}/secret/${name}`);
    });
    return { deleted: name };
  }

  // ---- versions ----

  // ---- the signed chain ----

  /** The verified chain, or null when there is none (TAMPERED when it does not check out). */
  trustView(): VaultTrustView | null {
    return this.options.trust().view();
  }

  /** The unsigned demo is in effect: asked for, and no chain exists. */
  private demo(view: VaultTrustView | null): boolean {
    return view === null && this.options.demo === true;
  }

  /** Whether the vault runs signed, unsigned (legacy, no chain), or as the explicit unsigned demo. */
  mode(): 'signed' | 'legacy' | 'unsigned-demo' {
    const view = this.trustView();
    return view ? 'signed' : this.demo(view) ? 'unsigned-demo' : 'legacy';
  }

  /** Who acts for a role-gated call: the principal named, else TESSERA_PRINCIPAL. */
  private principalFor(as: string | undefined, role: string, field = 'as'): string {
    const name = as ?? this.options.defaultPrincipal?.();
    if (name) return name;
    throw new TesseraError('FORBIDDEN', `This needs ${role}: name the principal (${field}, --${field} or TESSERA_PRINCIPAL) and unlock their token.`, {
      field,
    });
  }

  /**
   * A role-gated call: the principal holds the role in the chain and proves it now, with a fresh
   * signature on their token over the call. Returns what the audit entry keeps of the proof.
   */
  private async prove(
    view: VaultTrustView,
    principal: string,
    allowed: boolean,
    role: string,
    call: string,
    subject: string,
  ): Promise<{ principal: string; keyFingerprint: string }> {
    const p = view.principals.get(principal);
    if (!p) throw new TesseraError('FORBIDDEN', `"${principal}" is not a principal of the signed chain; ${call} needs ${role}.`, { details: { principal } });
    if (!allowed)
      throw new TesseraError('FORBIDDEN', `"${principal}" does not hold ${role}, which ${call} needs; nothing was done.`, { details: { principal } });
    await this.options.trust().signAs(principal, callMessage(callStatement(call, subject, principal)));
    return { principal, keyFingerprint: p.keyFingerprint };
  }

  /** The signer of a recipient change: a security officer of the chain (their token signs the record). */
  private officer(view: VaultTrustView, signer: string | undefined, what: string): string {
    const who = this.principalFor(signer, 'security-officer', 'signer');
    if (!view.principals.get(who)?.roles.includes('security-officer'))
      throw new TesseraError('FORBIDDEN', `"${who}" is not a security officer; only a security officer may ${what}.`, {
        field: 'signer',
        details: { principal: who },
      });
    return who;
  }

  /** The recipients new data keys are wrapped for: the chain's active ones (in the demo, the table's). */
  private wrapRecipients(view: VaultTrustView | null): RecipientRecord[] {
    if (!view) {
      if (!this.demo(view)) throw new TesseraError('FORBIDDEN', NO_CHAIN);
      return this.recipients.active();
    }
    const out: RecipientRecord[] = [];
    for (const c of view.recipients.values()) {
      if (c.statement.status !== 'active') continue;
      const row = this.recipients.find(c.statement.fingerprint);
      const signed = fromStatement(c, row);
      if (row && !rowMatches(row, signed)) {
        throw new TesseraError(
          'TAMPERED',
          `Recipient ${signed.fingerprint.slice(0, 16)}… ("${signed.label}") in the database differs from the record ${c.signedBy} signed (trust record ${c.recordSeq}): its key or token reference was swapped. Nothing was wrapped; restore the database from a backup.`,
          { details: { recipient: signed.fingerprint } },
        );
      }
      out.push(signed);
    }
    return out;
  }

  /** The recipients a data key may be unwrapped with: the chain's; before adoption also the old unsigned rows (read only). */
  private unwrapRecipients(view: VaultTrustView | null): Map<string, RecipientRecord> {
    const map = new Map<string, RecipientRecord>();
    if (!view || !view.adopted) for (const r of this.recipients.list()) map.set(r.fingerprint, r);
    if (view) for (const c of view.recipients.values()) map.set(c.statement.fingerprint, fromStatement(c, this.recipients.find(c.statement.fingerprint)));
    return map;
  }

  private versionStatement(app: AppRecord, secret: SecretRecord, v: VersionRecord, author: string, authorFingerprint: string): VersionStatement {
    return {
      format: 'tessera.version/v1',
      versionFormat: v.format,
      versionId: v.id,
      appId: app.id,
      app: app.name,
      secretId: secret.id,
      secret: secret.name,
      number: v.number,
      keyNames: [...v.keyNames].sort(),
      contentDigest: contentDigest(v.nonce, v.ciphertext),
      author,
      authorFingerprint,
    };
  }

  /**
   * Checks a version against the chain before anything is unwrapped: its author's signature over
   * its fields and content digest, or a security officer's adoption of it. TAMPERED names the version.
   */
  private integrity(
    view: VaultTrustView | null,
    app: AppRecord,
    secret: SecretRecord,
    v: VersionRecord,
  ): { integrity: Exclude<VersionIntegrity, 'tampered'>; by: string | null } {
    const tampered = (why: string) => this.tampered(app, secret, v, why);
    const digest = contentDigest(v.nonce, v.ciphertext);
    const sig = this.secrets.signature(v.id);
    if (!view) return { integrity: 'unsigned', by: null };
    if (sig) {
      const p = view.principals.get(sig.author);
      if (!p || p.keyFingerprint !== sig.keyFingerprint) throw tampered(`it is signed by "${sig.author}", whose key the signed chain does not hold`);
      if (!mayUseApp(view, sig.author, app.name)) throw tampered(`its author "${sig.author}" is neither an owner of app "${app.name}" nor a security officer`);
      if (sig.contentDigest !== digest) throw tampered(`its content is not what its author "${sig.author}" signed`);
      const message = versionMessage(this.versionStatement(app, secret, v, sig.author, sig.keyFingerprint));
      if (!verifySignature(p.spkiDer, sig.algorithm as SignatureAlgorithm, message, Buffer.from(sig.signature)))
        throw tampered(`its author "${sig.author}"'s signature does not verify over its fields and content`);
      return { integrity: 'signed', by: sig.author };
    }
    const adopted = view.adoptedVersions.get(v.id);
    if (adopted) {
      if (adopted.contentDigest !== digest) throw tampered(`its content is not what security officer "${adopted.signedBy}" adopted`);
      return { integrity: 'adopted', by: adopted.signedBy };
    }
    if (view.adopted) throw tampered('it is signed by no author and was not adopted by a security officer');
    return { integrity: 'unsigned', by: null };
  }

  /** Encrypts the entries as a new version for every signed active recipient; the author signs it. Zeroes the entries' buffers. */
  async writeVersion(appRef: string, secretName: string, entries: SecretEntry[], source: string, as?: string): Promise<VersionView> {
    let dek: Buffer | null = null;
    let payload: Buffer | null = null;
    try {
      const app = this.requireApp(appRef);
      const secret = this.requireSecret(app, secretName);
      throwFirst(
        versionViolations(
          entries.map((e) => ({ name: e.name, size: e.value.length })),
          secret.delivery,
        ),
      );
      const view = this.trustView();
      let author: { name: string; keyFingerprint: string } | null = null;
      if (view) {
        const name = this.principalFor(as, `app-owner of "${app.name}" or security-officer`);
        const p = view.principals.get(name);
        if (!p) throw new TesseraError('FORBIDDEN', `"${name}" is not a principal of the signed chain, so cannot sign a version.`, { field: 'as' });
        if (!mayUseApp(view, name, app.name))
          throw new TesseraError(
            'FORBIDDEN',
            `"${name}" may not write secrets of app "${app.name}": that needs app-owner of "${app.name}" (a security officer names owners with "tessera trust owners") or security-officer.`,
            { field: 'as' },
          );
        author = { name, keyFingerprint: p.keyFingerprint };
      }
      const active = this.wrapRecipients(view);
      if (active.length === 0)
        throw new TesseraError(
          'CONFLICT',
          view
            ? `The vault has no signed active recipient. A security officer adds one (a token key or a public key) before secrets are written${view.adopted ? '' : `, or adopts the existing ones. ${ADOPT_HINT}`}.`
            : 'The vault has no active recipient. Add one (a token key or a public key) before writing secrets.',
        );
      const versionId = randomUUID();
      const number = this.secrets.nextNumber(secret.id);
      const binding: VersionBinding = { versionId, appId: app.id, secretName: secret.name, number };
      dek = newDek();
      payload = encodePayload(entries);
      const sealed = seal(dek, payload, binding);
      const finder = new KeyFinder(this.options.tokens);
      const wrapped: WrappedKeyRow[] = [];
      for (const r of active) wrapped.push(await finder.wrap(r, dek));
      const keyNames = entries.map((e) => e.name).sort();
      const version: VersionRecord = {
        id: versionId,
        secretId: secret.id,
        number,
        createdAt: new Date().toISOString(),
        createdBy: this.actor(),
        source,
        keyNames,
        format: FORMAT_TAG,
        ...sealed,
      };
      let signature: VersionSignatureRow | null = null;
      if (author) {
        version.createdBy = author.name;
        const statement = this.versionStatement(app, secret, version, author.name, author.keyFingerprint);
        const signed = await this.options.trust().signAs(author.name, versionMessage(statement));
        signature = {
          versionId,
          author: author.name,
          keyFingerprint: signed.keyFingerprint,
          algorithm: signed.algorithm,
          signature: signed.signature,
          contentDigest: statement.contentDigest,
        };
      }
      transaction(this.db, () => {
        if (this.secrets.nextNumber(secret.id) !== number)
          throw new TesseraError('CONFLICT', `Another version of "${secret.name}" was written at the same time; retry.`);
        this.secrets.insertVersion(version, wrapped, signature);
        this.record('version.write', `app/${app.name}/secret/${secret.name}/v${number}`, {
          versionId,
          keyNames,
          source,
          recipients: wrapped.map((w) => w.recipient),
          contentDigest: contentDigest(version.nonce, version.ciphertext),
          signedBy: signature?.author ?? null,
          signed: signature !== null,
        });
      });
      this.log.info('secret version written', { app: app.name, secret: secret.name, version: number, keys: keyNames.length, recipients: wrapped.length });
      return this.versionView(app, secret, version);
    } finally {
      wipe(entries, dek, payload);
    }
  }

  async importVersion(appRef: string, secretName: string, format: 'manifest' | 'env', text: string, as?: string): Promise<VersionView> {
    const entries = format === 'manifest' ? entriesFromManifest(text) : entriesFromEnvFile(text);
    return this.writeVersion(appRef, secretName, entries, format === 'manifest' ? 'manifest' : 'env-file', as);
  }

  private versionView(app: AppRecord, secret: SecretRecord, v: VersionRecord, previous?: VersionRecord | null, view = this.safeView()): VersionView {
    const prev = previous === undefined ? this.secrets.version(secret.id, v.number - 1) : previous;
    let integrity: VersionIntegrity = 'tampered';
    let signedBy: string | null = null;
    try {
      ({ integrity, by: signedBy } = view === 'broken' ? { integrity: 'tampered' as const, by: null } : this.integrity(view, app, secret, v));
    } catch {
      // shown as tampered; reveal and provisioning refuse it with the reason
    }
    const before = new Set(prev?.keyNames ?? []);
    const now = new Set(v.keyNames);
    return {
      id: v.id,
      secretId: secret.id,
      app: app.name,
      secret: secret.name,
      number: v.number,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      source: v.source,
      keyNames: v.keyNames,
      added: v.keyNames.filter((k) => !before.has(k)),
      removed: [...before].filter((k) => !now.has(k)).sort(),
      recipients: this.secrets.wrappedKeys(v.id).map((w) => w.recipient),
      integrity,
      signedBy,
    };
  }

  /** The chain for display: 'broken' instead of throwing. */
  private safeView(): VaultTrustView | null | 'broken' {
    try {
      return this.trustView();
    } catch {
      return 'broken';
    }
  }

  listVersions(appRef: string, secretName: string): VersionView[] {
    const app = this.requireApp(appRef);
    const secret = this.requireSecret(app, secretName);
    const versions = this.secrets.versions(secret.id);
    const view = this.safeView();
    return versions.map((v, i) => this.versionView(app, secret, v, versions[i + 1] ?? null, view));
  }

  private tampered(app: AppRecord, secret: SecretRecord, v: VersionRecord, why: string): TesseraError {
    this.log.warn('secret version failed its integrity check', { app: app.name, secret: secret.name, version: v.number, versionId: v.id });
    return new TesseraError(
      'TAMPERED',
      `Secret "${secret.name}" of app "${app.name}", version ${v.number} (${v.id}), failed its integrity check: ${why}. It was changed or damaged; restore the database from a backup.`,
      {
        details: { app: app.name, secret: secret.name, version: v.number, versionId: v.id },
      },
    );
  }

  /**
   * Checks the version against the chain, then unwraps its DEK (one unwrap) and opens its payload.
   * 'provision' refuses an unsigned version (outside the demo); 'read' lets an old one be read
   * until the vault is adopted. The caller wipes both.
   */
  private async decrypt(
    finder: KeyFinder,
    app: AppRecord,
    secret: SecretRecord,
    v: VersionRecord,
    view: VaultTrustView | null,
    purpose: 'read' | 'provision',
  ): Promise<{ dek: Buffer; entries: SecretEntry[]; integrity: Exclude<VersionIntegrity, 'tampered'> }> {
    const tampered = (why: string) => this.tampered(app, secret, v, why);
    if (v.format !== FORMAT_TAG) throw tampered(`its format tag is not ${FORMAT_TAG}`);
    const { integrity } = this.integrity(view, app, secret, v);
    if (integrity === 'unsigned' && purpose === 'provision' && !this.demo(view)) {
      throw new TesseraError(
        'FORBIDDEN',
        `Secret "${secret.name}" of app "${app.name}", version ${v.number} (${v.id}), is not signed, so it is not provisioned. ${view ? ADOPT_HINT : NO_CHAIN}`,
        { details: { app: app.name, secret: secret.name, version: v.number, versionId: v.id } },
      );
    }
    const rows = this.secrets.wrappedKeys(v.id);
    if (rows.length === 0) throw tampered('it has no wrapped data key');
    const recipients = this.unwrapRecipients(view);
    const { dek } = await finder.unwrap(rows, recipients, tampered);
    const payload = open(dek, v.nonce, v.ciphertext, { versionId: v.id, appId: app.id, secretName: secret.name, number: v.number });
    if (!payload) {
      dek.fill(0);
      throw tampered('the ciphertext or the fields it is bound to (version id, app, secret name, version number) do not match');
    }
    const entries = decodePayload(payload);
    payload.fill(0);
    if (
      !entries ||
      !sameSet(
        entries.map((e) => e.name),
        v.keyNames,
      )
    ) {
      wipe(entries, dek);
      throw tampered('its key names do not match its contents');
    }
    return { dek, entries, integrity };
  }

  private locate(versionId: string): { app: AppRecord; secret: SecretRecord; version: VersionRecord } {
    const version = this.secrets.versionById(versionId);
    if (!version) throw new TesseraError('NOT_FOUND', `There is no secret version ${versionId}.`);
    const secret = this.secrets.byId(version.secretId)!;
    const app = this.apps.find(secret.appId)!;
    return { app, secret, version };
  }

  /**
   * For provisioning: opens one version (exactly one unwrap) and hands its values to fn. The
   * buffers are zeroed when fn settles; fn must not keep them. Needs an unlocked token.
   */
  async withVersion<T>(versionId: string, fn: (opened: OpenedVersion) => Promise<T> | T): Promise<T> {
    return (await this.withVersions([versionId], fn))[0]!;
  }

  /**
   * Like withVersion for many versions, one at a time, sharing one token lookup and one replay of
   * the chain. `expectedDigests` (a plan's) refuses a version whose content changed since.
   */
  async withVersions<T>(
    versionIds: readonly string[],
    fn: (opened: OpenedVersion) => Promise<T> | T,
    expectedDigests?: ReadonlyMap<string, string>,
  ): Promise<T[]> {
    const finder = new KeyFinder(this.options.tokens);
    const view = this.trustView();
    const results: T[] = [];
    for (const id of versionIds) {
      const { app, secret, version } = this.locate(id);
      const expected = expectedDigests?.get(id);
      if (expected !== undefined && expected !== contentDigest(version.nonce, version.ciphertext))
        throw this.tampered(app, secret, version, 'its content is not the content the plan was made and approved for');
      const { dek, entries } = await this.decrypt(finder, app, secret, version, view, 'provision');
      try {
        results.push(await fn({ app, secret, version, entries }));
      } finally {
        wipe(entries, dek);
      }
    }
    return results;
  }

  /** What adopting the vault would sign: recipient rows and versions the chain does not back yet. */
  adoptionCandidates(view: VaultTrustView): {
    recipients: { review: AdoptionRecipient; statement: RecipientStatement }[];
    versions: AdoptionVersion[];
  } {
    const recipients = this.recipients
      .list()
      .filter((r) => !view.recipients.has(r.fingerprint))
      .map((r) => ({
        review: { fingerprint: r.fingerprint, kind: r.kind, label: r.label, status: r.status, tokenSerial: r.tokenSerial, problem: recordIdentityProblem(r) },
        statement: toStatement(r),
      }));
    const versions: AdoptionVersion[] = [];
    for (const id of this.secrets.allVersionIds()) {
      if (view.adoptedVersions.has(id) || this.secrets.signature(id)) continue;
      const { app, secret, version } = this.locate(id);
      versions.push({
        versionId: id,
        app: app.name,
        secret: secret.name,
        number: version.number,
        contentDigest: contentDigest(version.nonce, version.ciphertext),
        createdBy: version.createdBy,
        createdAt: version.createdAt,
      });
    }
    return { recipients, versions };
  }

  /** The content digest of a version (what plans bind), or null when there is no such version. */
  versionDigest(versionId: string): string | null {
    const v = this.secrets.versionById(versionId);
    return v ? contentDigest(v.nonce, v.ciphertext) : null;
  }

  /**
   * Decrypts a version for display: the explicit, audited action that hands values to the caller.
   * With a signed chain it needs app-owner of the app or security-officer, proven on a token now.
   */
  async reveal(appRef: string, secretName: string, number?: number, as?: string): Promise<RevealedVersion> {
    const app = this.requireApp(appRef);
    const secret = this.requireSecret(app, secretName);
    const version = this.secrets.version(secret.id, number);
    if (!version)
      throw new TesseraError(
        'NOT_FOUND',
        number === undefined ? `Secret "${secretName}" has no versions yet.` : `Secret "${secretName}" has no version ${number}.`,
      );
    const subject = `app/${app.name}/secret/${secret.name}/v${version.number}`;
    const finder = new KeyFinder(this.options.tokens);
    let decrypted: { dek: Buffer; entries: SecretEntry[]; integrity: Exclude<VersionIntegrity, 'tampered'> };
    let proof: { principal: string; keyFingerprint: string } | null = null;
    try {
      const view = this.trustView();
      if (view) {
        const role = `app-owner of "${app.name}" or security-officer`;
        const principal = this.principalFor(as, role);
        proof = await this.prove(view, principal, mayUseApp(view, principal, app.name), role, 'vault.reveal', subject);
      }
      decrypted = await this.decrypt(finder, app, secret, version, view, 'read');
    } catch (error) {
      this.record(
        'version.reveal',
        subject,
        { versionId: version.id, code: error instanceof TesseraError ? error.code : 'INTERNAL' },
        error instanceof TesseraError && error.code === 'TAMPERED' ? 'failed' : 'refused',
      );
      throw error;
    }
    try {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const values = decrypted.entries.map((e) => {
        try {
          return { name: e.name, value: decoder.decode(e.value), encoding: 'utf8' as const };
        } catch {
          return { name: e.name, value: e.value.toString('base64'), encoding: 'base64' as const };
        }
      });
      this.record('version.reveal', subject, {
        versionId: version.id,
        keyNames: version.keyNames,
        integrity: decrypted.integrity,
        principal: proof?.principal ?? null,
        keyFingerprint: proof?.keyFingerprint ?? null,
        signed: proof !== null,
      });
      await this.checkpointIfPrincipal(proof?.principal ?? this.actor(), finder);
      return { app: app.name, secret: secret.name, version: version.number, versionId: version.id, values, integrity: decrypted.integrity };
    } finally {
      wipe(decrypted.entries, decrypted.dek);
    }
  }

  // ---- recipients and rotation ----

  recipientView(r: RecipientRecord, chain?: ChainRecipient | null): RecipientView {
    const signed = chain ? fromStatement(chain, r) : null;
    return {
      fingerprint: r.fingerprint,
      kind: signed?.kind ?? r.kind,
      label: signed?.label ?? r.label,
      status: signed?.status ?? r.status,
      tokenSerial: signed ? signed.tokenSerial : r.tokenSerial,
      keyId: signed ? signed.keyId : r.keyId,
      curve: signed ? signed.curve : r.curve,
      oaepHash: signed ? signed.oaepHash : r.oaepHash,
      publicKeyPem: (signed ? signed.publicKey : r.publicKey) ? spkiPem(Buffer.from((signed ? signed.publicKey : r.publicKey)!)) : null,
      addedAt: r.addedAt,
      addedBy: r.addedBy,
      retiredAt: r.retiredAt,
      versionsWrapped: this.secrets.wrappedCount(r.fingerprint),
      signedBy: chain?.signedBy ?? null,
      recordSeq: chain?.recordSeq ?? null,
      consistent: signed ? rowMatches(r, signed) && r.status === signed.status && recordIdentityProblem(r) === null : recordIdentityProblem(r) === null,
    };
  }

  /** The table's recipients and the chain's (a signed recipient whose row was deleted still shows). */
  listRecipients(): RecipientView[] {
    const view = this.safeView();
    const chain = view && view !== 'broken' ? view.recipients : new Map<string, ChainRecipient>();
    const rows = this.recipients.list();
    const out = rows.map((r) => this.recipientView(r, chain.get(r.fingerprint) ?? null));
    for (const c of chain.values()) {
      if (rows.some((r) => r.fingerprint === c.statement.fingerprint)) continue;
      out.push({ ...this.recipientView(fromStatement(c, null), c), consistent: false });
    }
    return out;
  }

  /** Adds a recipient: a record a security officer's token signs into the chain (in the demo, an unsigned row). */
  private async saveRecipient(r: RecipientRecord, signer: string | undefined): Promise<RecipientView> {
    check('label', displayNameRule(r.label));
    const bad = recordIdentityProblem(r);
    if (bad) throw new TesseraError('INVALID_INPUT', `Recipient ${r.fingerprint.slice(0, 16)}…: ${bad}.`);
    const view = this.trustView();
    const existing = this.recipients.find(r.fingerprint);
    if (!view) {
      if (!this.demo(view)) throw new TesseraError('FORBIDDEN', `Adding a recipient needs a security officer's signature. ${NO_CHAIN}`);
      if (existing?.status === 'active')
        throw new TesseraError('CONFLICT', `Recipient ${r.fingerprint.slice(0, 16)}… ("${existing.label}") is already active.`);
      transaction(this.db, () => {
        if (existing) this.recipients.reactivate(r.fingerprint);
        else this.recipients.insert(r);
        this.record('recipient.add', `recipient/${r.fingerprint}`, {
          kind: r.kind,
          label: r.label,
          signed: false,
          ...(r.tokenSerial ? { tokenSerial: r.tokenSerial } : {}),
        });
      });
      return this.recipientView(this.recipients.find(r.fingerprint)!);
    }
    const who = this.officer(view, signer, 'add recipients');
    const current = view.recipients.get(r.fingerprint);
    if (current?.statement.status === 'active')
      throw new TesseraError(
        'CONFLICT',
        `Recipient ${r.fingerprint.slice(0, 16)}… ("${current.statement.label}") is already active (signed by ${current.signedBy}).`,
      );
    const record: RecipientRecord = { ...r, status: 'active', retiredAt: null, addedBy: who };
    await this.options.trust().signRecipient('recipient.add', toStatement(record), who, () => {
      this.recipients.save(record);
      this.record('recipient.add', `recipient/${r.fingerprint}`, {
        kind: r.kind,
        label: r.label,
        signedBy: who,
        signed: true,
        ...(r.tokenSerial ? { tokenSerial: r.tokenSerial } : {}),
      });
    });
    const after = this.trustView();
    return this.recipientView(this.recipients.find(r.fingerprint)!, after?.recipients.get(r.fingerprint) ?? null);
  }

  /** A key on an unlocked token (RSA, EC or AES). */
  async addRecipientFromToken(tokenSerial: string, keyId: string, label?: string, signer?: string): Promise<RecipientView> {
    const r = await this.options.tokens().recipientForKey(tokenSerial, keyId);
    return this.saveRecipient(
      {
        fingerprint: r.fingerprint,
        kind: r.kind,
        label: label ?? r.label ?? `${r.kind} ${keyId}`,
        publicKey: r.publicKeySpki ?? null,
        curve: r.curve ?? null,
        oaepHash: r.oaepHash ?? null,
        aesScheme: r.aesScheme ?? null,
        tokenSerial: r.tokenSerial ?? tokenSerial,
        keyId: r.keyId ?? keyId.toLowerCase(),
        status: 'active',
        addedAt: new Date().toISOString(),
        addedBy: this.actor(),
        retiredAt: null,
      },
      signer,
    );
  }

  /** A public key alone (PEM): new versions are sealed for it with no token present. */
  addRecipientFromPem(pem: string, label: string, oaepHash?: 'sha256' | 'sha1', signer?: string): Promise<RecipientView> {
    const r = recipientFromPublicKey(pem, { label, ...(oaepHash ? { oaepHash } : {}) });
    return this.saveRecipient(
      {
        fingerprint: r.fingerprint,
        kind: r.kind,
        label,
        publicKey: r.publicKeySpki!,
        curve: r.curve ?? null,
        oaepHash: r.oaepHash ?? null,
        aesScheme: null,
        tokenSerial: null,
        keyId: null,
        status: 'active',
        addedAt: new Date().toISOString(),
        addedBy: this.actor(),
        retiredAt: null,
      },
      signer,
    );
  }

  /** Retires a recipient: a record a security officer's token signs (in the demo, the row alone). */
  async retireRecipient(fingerprint: string, signer?: string): Promise<RecipientView> {
    const view = this.trustView();
    if (!view) {
      if (!this.demo(view)) throw new TesseraError('FORBIDDEN', `Retiring a recipient needs a security officer's signature. ${NO_CHAIN}`);
      const r = this.recipients.find(fingerprint);
      if (!r) throw new TesseraError('NOT_FOUND', `There is no recipient ${fingerprint.slice(0, 16)}….`);
      if (r.status === 'retired') return this.recipientView(r);
      if (this.recipients.active().length === 1)
        throw new TesseraError('CONFLICT', `"${r.label}" is the last active recipient: add its replacement first, or no one could read new versions.`);
      transaction(this.db, () => {
        this.recipients.retire(fingerprint);
        this.record('recipient.retire', `recipient/${fingerprint}`, { label: r.label, signed: false });
      });
      return this.recipientView(this.recipients.find(fingerprint)!);
    }
    const c = view.recipients.get(fingerprint);
    if (!c) throw new TesseraError('NOT_FOUND', `There is no signed recipient ${fingerprint.slice(0, 16)}….`, { field: 'fingerprint' });
    const row = this.recipients.find(fingerprint);
    if (c.statement.status === 'retired') return this.recipientView(row ?? fromStatement(c, null), c);
    const who = this.officer(view, signer, 'retire recipients');
    if ([...view.recipients.values()].filter((x) => x.statement.status === 'active').length === 1)
      throw new TesseraError('CONFLICT', `"${c.statement.label}" is the last active recipient: add its replacement first, or no one could read new versions.`);
    await this.options.trust().signRecipient('recipient.retire', { ...c.statement, status: 'retired' }, who, () => {
      if (row) this.recipients.retire(fingerprint);
      else this.recipients.save({ ...fromStatement(c, null), status: 'retired', retiredAt: new Date().toISOString() });
      this.record('recipient.retire', `recipient/${fingerprint}`, { label: c.statement.label, signedBy: who, signed: true });
    });
    const after = this.trustView();
    return this.recipientView(this.recipients.find(fingerprint)!, after?.recipients.get(fingerprint) ?? null);
  }

  private pendingVersions(active: Set<string>): string[] {
    return this.secrets.allVersionIds().filter(
      (id) =>
        !sameSet(
          this.secrets.wrappedKeys(id).map((w) => w.recipient),
          [...active],
        ),
    );
  }

  rewrapStatus(): RewrapStatus {
    let active: string[] = [];
    try {
      active = this.wrapRecipients(this.trustView()).map((r) => r.fingerprint);
    } catch {
      // no chain, or a broken one: nothing may be wrapped, so nothing is "active"
    }
    return { versions: this.secrets.allVersionIds().length, pending: this.pendingVersions(new Set(active)).length, active };
  }

  /**
   * Rewraps every version whose wrapped keys differ from the signed active set: one unwrap per
   * version, each version in its own transaction, so a crash leaves every version readable by its
   * old or its new set, and running it again resumes where it stopped. Needs security-officer,
   * proven by a signature on their token now.
   */
  async rewrap(as?: string): Promise<RewrapResult> {
    const view = this.trustView();
    const activeRecords = this.wrapRecipients(view);
    let proof: { principal: string; keyFingerprint: string } | null = null;
    if (view) {
      const principal = this.principalFor(as, 'security-officer');
      proof = await this.prove(
        view,
        principal,
        view.principals.get(principal)?.roles.includes('security-officer') ?? false,
        'security-officer',
        'vault.rewrap',
        'vault',
      );
    }
    if (activeRecords.length === 0) throw new TesseraError('CONFLICT', 'There is no active recipient to rewrap to.');
    const active = new Set(activeRecords.map((r) => r.fingerprint));
    const pending = this.pendingVersions(active);
    const finder = new KeyFinder(this.options.tokens);
    this.record('vault.rewrap.start', 'vault', {
      pending: pending.length,
      active: [...active],
      principal: proof?.principal ?? null,
      keyFingerprint: proof?.keyFingerprint ?? null,
      signed: proof !== null,
    });
    let done = 0;
    for (const id of pending) {
      const { app, secret, version } = this.locate(id);
      const current = this.secrets.wrappedKeys(id).map((w) => w.recipient);
      const add = activeRecords.filter((r) => !current.includes(r.fingerprint));
      const remove = current.filter((fp) => !active.has(fp));
      const rows: WrappedKeyRow[] = [];
      if (add.length > 0) {
        // Open the version (which checks its signature and authenticates the data key) before wrapping it for anyone new.
        const { dek, entries } = await this.decrypt(finder, app, secret, version, view, 'read');
        wipe(entries);
        try {
          for (const r of add) rows.push(await finder.wrap(r, dek));
        } finally {
          dek.fill(0);
        }
      }
      this.secrets.replaceWrapped(id, rows, remove);
      done++;
      this.options.onRewrapProgress?.({ done, total: pending.length, versionId: id, app: app.name, secret: secret.name, version: version.number });
    }
    this.record('vault.rewrap', 'vault', { rewrapped: done, active: [...active] });
    if (pending.length > 0) await this.checkpointIfPrincipal(this.actor(), finder);
    return { ...this.rewrapStatus(), rewrapped: done };
  }

  // ---- clusters, principals, policies ----

  listClusters(): ClusterView[] {
    return this.clusters.list();
  }

  setCluster(name: string, labels: Record<string, string>, kubeconfigSource?: string): ClusterView {
    check('name', name.length === 0 ? 'must not be empty' : name.length > 253 ? 'must be at most 253 characters' : null);
    const bad = labelsRule(labels);
    if (bad) check(`labels.${bad.key}`, bad.message);
    return transaction(this.db, () => {
      const view = this.clusters.upsert(name, kubeconfigSource ?? this.clusters.find(name)?.kubeconfigSource ?? '', labels);
      this.record('cluster.set', `cluster/${name}`, {
        labels: Object.keys(labels)
          .sort()
          .map((k) => `${k}=${labels[k]}`),
      });
      return view;
    });
  }

  private principalView(p: { name: string; roles: Role[]; keyFingerprint: string; signingSpki: Uint8Array; createdAt: string }): PrincipalView {
    return { name: p.name, roles: p.roles, keyFingerprint: p.keyFingerprint, publicKeyPem: spkiPem(Buffer.from(p.signingSpki)), createdAt: p.createdAt };
  }

  listPrincipals(): PrincipalView[] {
    return this.principals.list().map((p) => this.principalView(p));
  }

  async addPrincipal(input: { name: string; roles: Role[]; publicKeyPem?: string; tokenSerial?: string; keyId?: string }): Promise<PrincipalView> {
    check('name', dnsSubdomainRule(input.name));
    if (this.principals.find(input.name)) throw new TesseraError('CONFLICT', `A principal named "${input.name}" exists already.`, { field: 'name' });
    let spki: Buffer;
    if (input.publicKeyPem !== undefined) spki = parsePublicKey(input.publicKeyPem).spki;
    else {
      const session = await this.options.tokens().session(input.tokenSerial!);
      spki = await session.publicKeyFor(input.keyId!.toLowerCase());
    }
    const record = {
      name: input.name,
      roles: [...new Set(input.roles)],
      signingSpki: spki,
      keyFingerprint: spkiFingerprint(spki),
      createdAt: new Date().toISOString(),
    };
    transaction(this.db, () => {
      this.principals.insert(record);
      this.record('principal.add', `principal/${input.name}`, { roles: record.roles, keyFingerprint: record.keyFingerprint });
    });
    return this.principalView(record);
  }

  listPolicies(): PolicyView[] {
    return this.principals.policies();
  }

  setPolicy(p: PolicyView): PolicyView {
    check('name', dnsSubdomainRule(p.name));
    check('selector', selectorRule(p.selector));
    transaction(this.db, () => {
      this.principals.setPolicy(p);
      this.record('policy.set', `policy/${p.name}`, {
        selector: p.selector,
        requiredApprovals: p.requiredApprovals,
        approverRole: p.approverRole,
        excludeRequester: p.excludeRequester,
      });
    });
    return p;
  }

  // ---- audit checkpoints ----

  /** Signs the latest audit entry with the principal's key, found on an unlocked token. */
  async checkpoint(principalName: string, finder = new KeyFinder(this.options.tokens)): Promise<AuditCheckpointView> {
    const principal = this.principals.find(principalName);
    if (!principal) throw new TesseraError('NOT_FOUND', `There is no principal named "${principalName}".`);
    for (const session of await finder.all()) {
      let keyId: string;
      try {
        keyId = await session.keyIdFor(principal.keyFingerprint);
      } catch {
        continue;
      }
      return this.audit.checkpoint(principal, (message) => this.options.tokens().sign(session.tokenSerial, keyId, message));
    }
    throw new TesseraError('TOKEN_LOCKED', `Unlock the token that holds principal "${principalName}"'s signing key.`);
  }

  /** After an operation that used tokens: when the actor is a principal whose key is unlocked, sign a checkpoint (and say why not when it cannot). */
  async checkpointIfPrincipal(actor: string, finder?: KeyFinder): Promise<void> {
    const principal = this.principals.find(actor);
    if (!principal) return;
    try {
      await this.checkpoint(principal.name, finder);
    } catch (error) {
      this.log.info('audit checkpoint not signed', { principal: principal.name, code: error instanceof TesseraError ? error.code : 'INTERNAL' });
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
