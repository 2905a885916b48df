// Channels about the vault: apps, secrets and their immutable versions, recipients and
// rotation, reveal, clusters' labels, principals and approval policies, the audit log and
// configuration as code. Outputs carry ids, key names and who/when so lists render directly.
import { z } from 'zod';
import { channel } from '../channel.ts';
import { workloadKindRule, type Delivery, type WorkloadKind, type WorkloadRef } from '../../domain/secret-rules.ts';

export type { Delivery, WorkloadRef } from '../../domain/secret-rules.ts';

export interface AppTargeting {
  /** A cluster label selector ("" selects no cluster by label; use include lists). */
  selector: string;
  /** Clusters (context names) always targeted, whatever their labels. */
  include: string[];
  /** Clusters never targeted, whatever their labels. */
  exclude: string[];
}

export interface PublicationView {
  cluster: string;
  state: 'published' | 'unpublished';
  updatedAt: string;
  updatedBy: string;
}

export interface SecretView {
  id: string;
  appId: string;
  name: string;
  delivery: Delivery;
  mountPath: string | null;
  workload: WorkloadRef | null;
  createNamespace: boolean;
  /** The declared key names (those of the latest version once one is written). */
  keyNames: string[];
  latestVersion: { id: string; number: number; createdAt: string; createdBy: string } | null;
  versionCount: number;
  updatedAt: string;
}

export interface AppSummary {
  id: string;
  name: string;
  namespace: string;
  description: string;
  owners: string[];
  targeting: AppTargeting;
  secretCount: number;
  updatedAt: string;
}

export interface AppView extends AppSummary {
  createdAt: string;
  secrets: SecretView[];
  publications: PublicationView[];
}

export interface VersionView {
  id: string;
  secretId: string;
  app: string;
  secret: string;
  number: number;
  createdAt: string;
  createdBy: string;
  /** How the values arrived: 'literal', 'env-file', 'manifest'. */
  source: string;
  keyNames: string[];
  /** Compared with the previous version: keys added and removed (values are not compared). */
  added: string[];
  removed: string[];
  /** Fingerprints of the recipients the data key is wrapped for. */
  recipients: string[];
  /**
   * signed: by its author, checked against the signed chain; adopted: reviewed and signed by a
   * security officer when the vault was adopted; unsigned: an old version not yet adopted (readable,
   * never provisioned); tampered: its signature or content does not check out.
   */
  integrity: VersionIntegrity;
  /** The author who signed it, or the security officer who adopted it. */
  signedBy: string | null;
}

export type VersionIntegrity = 'signed' | 'adopted' | 'unsigned' | 'tampered';

export interface RecipientView {
  fingerprint: string;
  kind: 'rsa-oaep' | 'ecdh-es' | 'aes-kw';
  label: string;
  status: 'active' | 'retired';
  tokenSerial: string | null;
  keyId: string | null;
  curve: string | null;
  oaepHash: string | null;
  publicKeyPem: string | null;
  addedAt: string;
  addedBy: string;
  retiredAt: string | null;
  /** How many versions hold a data key wrapped for this recipient. */
  versionsWrapped: number;
  /** The security officer who signed the recipient into the chain (null: unsigned, it grants nothing), and the record. */
  signedBy: string | null;
  recordSeq: number | null;
  /** The database row matches the signed record (a swapped key or token reference shows false). */
  consistent: boolean;
}

export interface RewrapStatus {
  versions: number;
  /** Versions whose wrapped keys differ from the active recipient set. */
  pending: number;
  active: string[];
}

export interface RewrapResult extends RewrapStatus {
  rewrapped: number;
}

export interface RewrapProgressEvent {
  done: number;
  total: number;
  versionId: string;
  app: string;
  secret: string;
  version: number;
}

export interface RevealedValue {
  name: string;
  /** UTF-8 text when the bytes are valid UTF-8, else base64. */
  value: string;
  encoding: 'utf8' | 'base64';
}

export interface RevealedVersion {
  app: string;
  secret: string;
  version: number;
  versionId: string;
  values: RevealedValue[];
  integrity: VersionIntegrity;
}

export interface ClusterView {
  name: string;
  kubeconfigSource: string;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export const ROLES = ['security-officer', 'release-manager', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface PrincipalView {
  name: string;
  roles: Role[];
  keyFingerprint: string;
  publicKeyPem: string;
  createdAt: string;
}

export interface PolicyView {
  name: string;
  selector: string;
  requiredApprovals: number;
  approverRole: Role;
  excludeRequester: boolean;
}

export interface AuditEntryView {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  outcome: 'ok' | 'refused' | 'failed';
  details: Record<string, string | number | boolean | null | string[]>;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  signaturesVerified: number;
  /** The first entry (or checkpoint) that breaks the chain or a signature. */
  firstBroken: { seq: number; reason: string } | null;
}

export interface AuditCheckpointView {
  seq: number;
  hash: string;
  principal: string;
  algorithm: string;
  time: string;
}

export interface ConfigChange {
  kind: 'create' | 'update' | 'unchanged';
  what: 'cluster' | 'app' | 'secret';
  name: string;
  /** The fields that change (for updates). */
  fields: string[];
}

export interface ConfigImportResult {
  dryRun: boolean;
  changes: ConfigChange[];
}

const name = z.string().min(1, 'must not be empty').max(253, 'is too long');
/** A principal of the signed chain; absent: TESSERA_PRINCIPAL. */
const principal = name;
const appRef = z.string().min(1, 'must not be empty').max(253, 'is too long');
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/u, 'must be a 64-character lower-case hex fingerprint');
const tokenSerial = z.string().min(1, 'must not be empty').max(64, 'is too long');
/** A workload kind Tessera can wire; a Job (or anything else) is refused with the reason. */
export const workloadKindSchema = z
  .string()
  .superRefine((kind, ctx) => {
    const rule = workloadKindRule(kind);
    if (rule) ctx.addIssue({ code: 'custom', message: rule });
  })
  .transform((kind) => kind as WorkloadKind);
const workloadKind = workloadKindSchema;
const workload = z.object({ kind: workloadKind, name, container: z.string().max(63).optional() }).strict();
const targeting = z.object({ selector: z.string().max(4096), include: z.array(name).max(10_000), exclude: z.array(name).max(10_000) }).strict();
const value = z.object({ name: z.string().max(253, 'is too long'), value: z.string(), encoding: z.enum(['utf8', 'base64']).optional() }).strict();
const labels = z.record(z.string().max(317), z.string().max(63));
const role = z.enum(ROLES);

export const vaultChannels = {
  'vault.apps': channel<AppSummary[]>()(z.object({}).strict(), 'Every app with its targeting and how many secrets it has'),
  'vault.app': channel<AppView>()(z.object({ app: appRef }).strict(), 'One app (by name or id) with its secrets and publish state'),
  'vault.createApp': channel<AppView>()(
    z
      .object({
        name,
        namespace: z.string().max(63),
        description: z.string().max(4096).optional(),
        owners: z.array(z.string().max(253)).max(64).optional(),
        targeting: targeting.optional(),
      })
      .strict(),
    'Create an app',
  ),
  'vault.updateApp': channel<AppView>()(
    z
      .object({
        app: appRef,
        patch: z
          .object({ namespace: z.string().max(63), description: z.string().max(4096), owners: z.array(z.string().max(253)).max(64), targeting })
          .partial()
          .strict(),
      })
      .strict(),
    "Change an app's namespace, description, owners or targeting",
  ),
  'vault.deleteApp': channel<{ deleted: string }>()(z.object({ app: appRef }).strict(), 'Delete an app with its secrets and every version'),
  'vault.setPublication': channel<AppView>()(
    z.object({ app: appRef, cluster: name, state: z.enum(['published', 'unpublished']) }).strict(),
    'Record that an app is published to, or unpublished from, a cluster',
  ),
  'vault.defineSecret': channel<SecretView>()(
    z
      .object({
        app: appRef,
        name,
        delivery: z.enum(['env', 'volume']),
        mountPath: z.string().max(4096).optional(),
        workload: workload.optional(),
        createNamespace: z.boolean().optional(),
        keyNames: z.array(z.string().max(253)).max(4096).optional(),
      })
      .strict(),
    'Create a secret or change its delivery and workload (values are written as versions)',
  ),
  'vault.deleteSecret': channel<{ deleted: string }>()(z.object({ app: appRef, secret: name }).strict(), 'Delete a secret and every version of it'),
  'vault.writeVersion': channel<VersionView>()(
    z.object({ app: appRef, secret: name, values: z.array(value).min(1, 'must hold at least one key').max(4096), as: principal.optional() }).strict(),
    'Encrypt and store a new version for every signed active recipient; the author (app-owner of the app or security-officer) signs it on their token',
  ),
  'vault.importVersion': channel<VersionView>()(
    z.object({ app: appRef, secret: name, format: z.enum(['manifest', 'env']), text: z.string().max(4 * 1024 * 1024), as: principal.optional() }).strict(),
    'Store a new version from a Kubernetes Secret manifest or a .env file (signed by its author, as writeVersion)',
  ),
  'vault.versions': channel<VersionView[]>()(z.object({ app: appRef, secret: name }).strict(), 'Version history of a secret, newest first'),
  'vault.reveal': channel<RevealedVersion>()(
    z.object({ app: appRef, secret: name, version: z.number().int().min(1).optional(), as: principal.optional() }).strict(),
    "Decrypt a version for display: needs app-owner of the app or security-officer, proven by the principal's token signature; audited",
  ),
  'vault.recipients': channel<RecipientView[]>()(z.object({}).strict(), 'Recipients data keys are wrapped for, active and retired'),
  'vault.addRecipient': channel<RecipientView>()(
    z.union([
      z
        .object({ tokenSerial, keyId: z.string().regex(/^[0-9a-fA-F]+$/u, 'must be hex'), label: z.string().max(128).optional(), signer: principal.optional() })
        .strict(),
      z
        .object({
          publicKeyPem: z.string().max(16_384),
          label: z.string().min(1).max(128),
          oaepHash: z.enum(['sha256', 'sha1']).optional(),
          signer: principal.optional(),
        })
        .strict(),
    ]),
    "Add a recipient (a key on an unlocked token, or a public key): a security officer's token signs the record into the chain",
  ),
  'vault.retireRecipient': channel<RecipientView>()(
    z.object({ fingerprint, signer: principal.optional() }).strict(),
    'Retire a recipient (security-officer; their token signs the record): new versions stop being wrapped for it; rewrap removes it',
  ),
  'vault.rewrapStatus': channel<RewrapStatus>()(z.object({}).strict(), 'How many versions are not yet wrapped for exactly the active recipients'),
  'vault.rewrap': channel<RewrapResult>()(
    z.object({ as: principal.optional() }).strict(),
    "Rewrap every version to the signed active recipients (security-officer, proven by their token's signature; resumable)",
  ),
  'vault.clusters': channel<ClusterView[]>()(z.object({}).strict(), 'Clusters known to the vault, with their labels'),
  'vault.setCluster': channel<ClusterView>()(
    z.object({ name, kubeconfigSource: z.string().max(4096).optional(), labels }).strict(),
    'Register a cluster (kubeconfig context) or replace its labels',
  ),
  'vault.principals': channel<PrincipalView[]>()(z.object({}).strict(), 'People who act and approve, with roles and signing keys'),
  'vault.addPrincipal': channel<PrincipalView>()(
    z.union([
      z.object({ name, roles: z.array(role).min(1), publicKeyPem: z.string().max(16_384) }).strict(),
      z.object({ name, roles: z.array(role).min(1), tokenSerial, keyId: z.string().regex(/^[0-9a-fA-F]+$/u, 'must be hex') }).strict(),
    ]),
    'Add a principal with a signing public key (PEM, or a key on an unlocked token)',
  ),
  'vault.policies': channel<PolicyView[]>()(z.object({}).strict(), 'Approval policies'),
  'vault.setPolicy': channel<PolicyView>()(
    z
      .object({
        name,
        selector: z.string().max(4096),
        requiredApprovals: z.number().int().min(0).max(16),
        approverRole: role.optional(),
        excludeRequester: z.boolean().optional(),
      })
      .strict(),
    'Create or replace an approval policy',
  ),
  'audit.list': channel<AuditEntryView[]>()(
    z.object({ afterSeq: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
    'Audit entries, oldest first',
  ),
  'audit.verify': channel<AuditVerification>()(z.object({}).strict(), 'Check the hash chain and every signed checkpoint'),
  'audit.export': channel<{ jsonl: string; entries: number }>()(z.object({}).strict(), 'The audit log as JSON Lines (entries, then checkpoints)'),
  'audit.checkpoint': channel<AuditCheckpointView>()(
    z.object({ principal: name }).strict(),
    "Sign the latest entry with the principal's key on an unlocked token",
  ),
  'config.export': channel<{ yaml: string }>()(z.object({}).strict(), 'Apps, secrets, targeting and cluster labels as one YAML document (no values)'),
  'config.import': channel<ConfigImportResult>()(
    z.object({ yaml: z.string().max(16 * 1024 * 1024), dryRun: z.boolean().optional() }).strict(),
    'Apply a configuration YAML document (dryRun: only say what would change)',
  ),
};
