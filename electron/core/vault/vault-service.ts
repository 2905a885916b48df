// The vault: apps and their secrets, immutable versions sealed under a fresh data key each,
// recipients and rotation, reveal, principals and policies. Plaintext lives only inside one
// call, in Buffers that are zeroed before the call returns. Every change is audited.
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
} from '../../../shared/contract/index.ts';
import { check, displayNameRule, dnsSubdomainRule, throwFirst } from '../../../shared/domain/names.ts';
import { labelsRule, selectorRule } from '../../../shared/domain/labels.ts';
import { appSpecViolations, keyNameViolations, secretSpecViolations, versionViolations, type Delivery } from '../../../shared/domain/secret-rules.ts';
import { AuditLog, type AuditDetails } from '../audit/index.ts';
import { parsePublicKey, spkiFingerprint, spkiPem, recipientFromPublicKey } from '../hsm/index.ts';
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
  type WrappedKeyRow,
} from '../store/index.ts';
import { FORMAT_TAG, decodePayload, encodePayload, newDek, open, seal, wipe, type SecretEntry, type VersionBinding } from './envelope.ts';
import { entriesFromEnvFile, entriesFromManifest } from './import-formats.ts';
import { KeyFinder, type TokenAccess } from './keyring.ts';

export interface VaultServiceOptions {
  db: Database;
  /** The audit log over the same database (one is made over db when absent). */
  audit?: AuditLog | undefined;
  log: Logger;
  tokens: () => TokenAccess;
  /** Who is acting (audit entries, version authorship). */
  actor: () => string;
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

  /** Encrypts the entries as a new version for every active recipient. Zeroes the entries' buffers. */
  async writeVersion(appRef: string, secretName: string, entries: SecretEntry[], source: string): Promise<VersionView> {
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
      const active = this.recipients.active();
      if (active.length === 0)
        throw new TesseraError('CONFLICT', 'The vault has no active recipient. Add one (a token key or a public key) before writing secrets.');
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
      transaction(this.db, () => {
        if (this.secrets.nextNumber(secret.id) !== number)
          throw new TesseraError('CONFLICT', `Another version of "${secret.name}" was written at the same time; retry.`);
        this.secrets.insertVersion(version, wrapped);
        this.record('version.write', `app/${app.name}/secret/${secret.name}/v${number}`, {
          versionId,
          keyNames,
          source,
          recipients: wrapped.map((w) => w.recipient),
        });
      });
      this.log.info('secret version written', { app: app.name, secret: secret.name, version: number, keys: keyNames.length, recipients: wrapped.length });
      return this.versionView(app, secret, version);
    } finally {
      wipe(entries, dek, payload);
    }
  }

  async importVersion(appRef: string, secretName: string, format: 'manifest' | 'env', text: string): Promise<VersionView> {
    const entries = format === 'manifest' ? entriesFromManifest(text) : entriesFromEnvFile(text);
    return this.writeVersion(appRef, secretName, entries, format === 'manifest' ? 'manifest' : 'env-file');
  }

  private versionView(app: AppRecord, secret: SecretRecord, v: VersionRecord, previous?: VersionRecord | null): VersionView {
    const prev = previous === undefined ? this.secrets.version(secret.id, v.number - 1) : previous;
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
    };
  }

  listVersions(appRef: string, secretName: string): VersionView[] {
    const app = this.requireApp(appRef);
    const secret = this.requireSecret(app, secretName);
    const versions = this.secrets.versions(secret.id);
    return versions.map((v, i) => this.versionView(app, secret, v, versions[i + 1] ?? null));
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

  /** Unwraps the version's DEK (one unwrap) and opens its payload. The caller wipes both. */
  private async decrypt(finder: KeyFinder, app: AppRecord, secret: SecretRecord, v: VersionRecord): Promise<{ dek: Buffer; entries: SecretEntry[] }> {
    const tampered = (why: string) => this.tampered(app, secret, v, why);
    if (v.format !== FORMAT_TAG) throw tampered(`its format tag is not ${FORMAT_TAG}`);
    const rows = this.secrets.wrappedKeys(v.id);
    if (rows.length === 0) throw tampered('it has no wrapped data key');
    const recipients = new Map(this.recipients.list().map((r) => [r.fingerprint, r]));
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
    return { dek, entries };
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

  /** Like withVersion for many versions, one at a time, sharing one token lookup. */
  async withVersions<T>(versionIds: readonly string[], fn: (opened: OpenedVersion) => Promise<T> | T): Promise<T[]> {
    const finder = new KeyFinder(this.options.tokens);
    const results: T[] = [];
    for (const id of versionIds) {
      const { app, secret, version } = this.locate(id);
      const { dek, entries } = await this.decrypt(finder, app, secret, version);
      try {
        results.push(await fn({ app, secret, version, entries }));
      } finally {
        wipe(entries, dek);
      }
    }
    return results;
  }

  /** Decrypts a version for display: the explicit, audited action that hands values to the caller. */
  async reveal(appRef: string, secretName: string, number?: number): Promise<RevealedVersion> {
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
    let decrypted: { dek: Buffer; entries: SecretEntry[] };
    try {
      decrypted = await this.decrypt(finder, app, secret, version);
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
      this.record('version.reveal', subject, { versionId: version.id, keyNames: version.keyNames });
      await this.checkpointIfPrincipal(this.actor(), finder);
      return { app: app.name, secret: secret.name, version: version.number, versionId: version.id, values };
    } finally {
      wipe(decrypted.entries, decrypted.dek);
    }
  }

  // ---- recipients and rotation ----

  recipientView(r: RecipientRecord): RecipientView {
    return {
      fingerprint: r.fingerprint,
      kind: r.kind,
      label: r.label,
      status: r.status,
      tokenSerial: r.tokenSerial,
      keyId: r.keyId,
      curve: r.curve,
      oaepHash: r.oaepHash,
      publicKeyPem: r.publicKey ? spkiPem(Buffer.from(r.publicKey)) : null,
      addedAt: r.addedAt,
      addedBy: r.addedBy,
      retiredAt: r.retiredAt,
      versionsWrapped: this.secrets.wrappedCount(r.fingerprint),
    };
  }

  listRecipients(): RecipientView[] {
    return this.recipients.list().map((r) => this.recipientView(r));
  }

  private saveRecipient(r: RecipientRecord): RecipientView {
    check('label', displayNameRule(r.label));
    const existing = this.recipients.find(r.fingerprint);
    if (existing?.status === 'active') throw new TesseraError('CONFLICT', `Recipient ${r.fingerprint.slice(0, 16)}… ("${existing.label}") is already active.`);
    transaction(this.db, () => {
      if (existing) this.recipients.reactivate(r.fingerprint);
      else this.recipients.insert(r);
      this.record('recipient.add', `recipient/${r.fingerprint}`, { kind: r.kind, label: r.label, ...(r.tokenSerial ? { tokenSerial: r.tokenSerial } : {}) });
    });
    return this.recipientView(this.recipients.find(r.fingerprint)!);
  }

  /** A key on an unlocked token (RSA, EC or AES). */
  async addRecipientFromToken(tokenSerial: string, keyId: string, label?: string): Promise<RecipientView> {
    const r = await this.options.tokens().recipientForKey(tokenSerial, keyId);
    return this.saveRecipient({
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
    });
  }

  /** A public key alone (PEM): new versions are sealed for it with no token present. */
  addRecipientFromPem(pem: string, label: string, oaepHash?: 'sha256' | 'sha1'): RecipientView {
    const r = recipientFromPublicKey(pem, { label, ...(oaepHash ? { oaepHash } : {}) });
    return this.saveRecipient({
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
    });
  }

  retireRecipient(fingerprint: string): RecipientView {
    const r = this.recipients.find(fingerprint);
    if (!r) throw new TesseraError('NOT_FOUND', `There is no recipient ${fingerprint.slice(0, 16)}….`);
    if (r.status === 'retired') return this.recipientView(r);
    if (this.recipients.active().length === 1)
      throw new TesseraError('CONFLICT', `"${r.label}" is the last active recipient: add its replacement first, or no one could read new versions.`);
    transaction(this.db, () => {
      this.recipients.retire(fingerprint);
      this.record('recipient.retire', `recipient/${fingerprint}`, { label: r.label });
    });
    return this.recipientView(this.recipients.find(fingerprint)!);
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
    const active = this.recipients.active().map((r) => r.fingerprint);
    return { versions: this.secrets.allVersionIds().length, pending: this.pendingVersions(new Set(active)).length, active };
  }

  /**
   * Rewraps every version whose wrapped keys differ from the active set: one unwrap per version,
   * each version in its own transaction, so a crash leaves every version readable by its old or
   * its new set, and running it again resumes where it stopped.
   */
  async rewrap(): Promise<RewrapResult> {
    const activeRecords = this.recipients.active();
    if (activeRecords.length === 0) throw new TesseraError('CONFLICT', 'There is no active recipient to rewrap to.');
    const active = new Set(activeRecords.map((r) => r.fingerprint));
    const pending = this.pendingVersions(active);
    const finder = new KeyFinder(this.options.tokens);
    this.record('vault.rewrap.start', 'vault', { pending: pending.length, active: [...active] });
    let done = 0;
    for (const id of pending) {
      const { app, secret, version } = this.locate(id);
      const current = this.secrets.wrappedKeys(id).map((w) => w.recipient);
      const add = activeRecords.filter((r) => !current.includes(r.fingerprint));
      const remove = current.filter((fp) => !active.has(fp));
      const rows: WrappedKeyRow[] = [];
      if (add.length > 0) {
        // Open the version (which authenticates the data key) before wrapping it for anyone new.
        const { dek, entries } = await this.decrypt(finder, app, secret, version);
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
