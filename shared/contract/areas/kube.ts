// Channels about Kubernetes clusters: contexts, the cluster registry and its labels, probes,
// scans of the app × cluster matrix, provisioning, deprovisioning and verification.
import { z } from 'zod';
import type { ContractError } from '../errors.ts';
import type { CellState, MatrixCell } from '../../domain/cell-state.ts';
import { channel } from '../channel.ts';

export interface KubeContext {
  name: string;
  cluster: string;
  server: string | null;
  user: string;
  namespace: string | null;
  /** The kubeconfig file this context was read from. */
  source: string;
  current: boolean;
}

export interface KubeContextList {
  contexts: KubeContext[];
  /** Files that were looked at, in merge order. */
  files: string[];
  /** Files that could not be read, each with the reason. One broken file never hides the others. */
  problems: { file: string; message: string }[];
}

export type KubeAuthKind = 'token' | 'token-file' | 'client-certificate' | 'basic' | 'exec' | 'auth-provider' | 'none';

/** A cluster as Tessera knows it: one kubeconfig context plus its labels from the store. */
export interface KubeClusterView extends KubeContext {
  labels: Record<string, string>;
  auth: KubeAuthKind;
  /** Why this context cannot be used (missing cluster or user entry, unreadable file), or null. */
  problem: string | null;
}

export interface AccessCheck {
  namespace: string;
  group: string;
  resource: string;
  verb: string;
  allowed: boolean;
  reason: string;
}

export interface ProbeResult {
  cluster: string;
  reachable: boolean;
  serverVersion: string | null;
  /** Milliseconds for /version. */
  latencyMs: number | null;
  error: ContractError | null;
  access: AccessCheck[];
}

/** Whether a scan could list a cluster at all: said for every cluster, apps or not. */
export interface ClusterReach {
  cluster: string;
  state: 'reachable' | 'unreachable' | 'forbidden' | 'error';
  /** Why it could not be listed (or which namespaces were refused), else null. */
  reason: string | null;
}

export interface ScanResult {
  scanId: string;
  startedAt: string;
  finishedAt: string | null;
  apps: string[];
  clusters: string[];
  cells: MatrixCell[];
  cancelled: boolean;
  /** One entry per scanned cluster, in the order of `clusters`. Absent in scans stored by earlier releases. */
  reachability?: ClusterReach[];
  /**
   * When each cluster was last read, for clusters whose cells come from an earlier scan (a scan
   * of some clusters keeps what the previous scan knew of the others). Absent: all at finishedAt.
   */
  clusterScannedAt?: Record<string, string>;
}

/** One cluster of a running scan finished: the state of each app there (details via kube.cell). */
export interface ScanProgress {
  scanId: string;
  cluster: string;
  cells: { app: string; state: MatrixCell['state'] }[];
  done: number;
  total: number;
}

/** A scan as the matrix draws it: each app's row of states, one character per cluster (see stateFromCode). */
export interface CompactMatrix {
  scanId: string;
  startedAt: string;
  finishedAt: string | null;
  cancelled: boolean;
  apps: string[];
  clusters: string[];
  /** rows[i] holds apps[i]'s states, character j for clusters[j]. */
  rows: string[];
  /** As ScanResult.clusterScannedAt: clusters last read before this scan, with when. */
  clusterScannedAt?: Record<string, string>;
}

export interface ClusterOutcome {
  cluster: string;
  ok: boolean;
  /** What happened to each Secret of the app there. */
  secrets: {
    namespace: string;
    name: string;
    action: 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent';
    resourceVersion: string | null;
    wiring: 'applied' | 'removed' | 'none';
  }[];
  error: ContractError | null;
}

export interface VerifyResult {
  app: string;
  cluster: string;
  state: CellState;
  reason: string;
}

const contextName = z.string().min(1, 'must not be empty').max(253, 'is too long');
const appName = z.string().min(1, 'must not be empty').max(253, 'is too long');
const labelKey = z.string().min(1, 'must not be empty').max(317, 'is too long');
const target = {
  /** Explicit clusters (contexts). */
  clusters: z.array(contextName).max(10_000).optional(),
  /** A label selector over cluster labels, e.g. env=prod,region in (eu,us). */
  selector: z.string().max(1024, 'is too long').optional(),
};

export const kubeChannels = {
  'kube.contexts': channel<KubeContextList>()(z.object({}).strict(), 'Contexts from KUBECONFIG (merged like kubectl) or ~/.kube/config'),
  'kube.clusters': channel<KubeClusterView[]>()(z.object({}).strict(), 'Clusters (kubeconfig contexts) with their labels'),
  'kube.setLabels': channel<KubeClusterView>()(
    z
      .object({
        cluster: contextName,
        set: z.record(labelKey, z.string().max(63, 'is too long')).default({}),
        remove: z.array(labelKey).max(256).default([]),
      })
      .strict(),
    'Set and remove labels of a cluster',
  ),
  'kube.probe': channel<ProbeResult[]>()(
    z.object({ clusters: z.array(contextName).max(10_000).optional() }).strict(),
    'Reachability, server version and RBAC (SelfSubjectAccessReview) per cluster',
  ),
  'kube.scan': channel<ScanResult>()(
    z.object({ clusters: z.array(contextName).max(10_000).optional() }).strict(),
    'Scan managed Secrets (metadata only) on every cluster and compute the matrix; streams scan.progress',
  ),
  'kube.lastScan': channel<ScanResult | null>()(z.object({}).strict(), 'The last scan kept in the store'),
  'kube.matrix': channel<CompactMatrix | null>()(z.object({}).strict(), 'The last scan as a compact matrix of states (for drawing 200,000 tiles)'),
  'kube.scanMatrix': channel<CompactMatrix>()(
    z.object({ clusters: z.array(contextName).max(10_000).optional() }).strict(),
    'Scan like kube.scan, and answer with the compact matrix instead of every cell in full',
  ),
  'kube.cell': channel<MatrixCell | null>()(
    z.object({ app: appName, cluster: contextName }).strict(),
    'One cell of the last scan in full: each Secret, drift, reasons',
  ),
  'kube.provision': channel<ClusterOutcome[]>()(
    z.object({ app: appName, ...target, overwrite: z.boolean().optional(), expiresAt: z.iso.datetime({ offset: true }).optional() }).strict(),
    'Publish the app on the given clusters (until expiresAt, when given) and write its published secret version there through a plan',
  ),
  'kube.deprovision': channel<ClusterOutcome[]>()(
    z.object({ app: appName, ...target }).strict(),
    "Remove the app's wiring and Secrets from the given clusters",
  ),
  'kube.verify': channel<VerifyResult[]>()(
    z
      .object({
        cells: z
          .array(z.object({ app: appName, cluster: contextName }).strict())
          .min(1)
          .max(10_000),
      })
      .strict(),
    'Compare live values with the vault (constant time); needs the values source (token) unlocked',
  ),
};
