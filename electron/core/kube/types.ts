// What the Kubernetes layer needs from the rest of Tessera: which apps are published where,
// with which Secret version, and (only when writing or verifying) the version's values.
// The vault implements KubeCatalog; tests and the rollout layer may pass their own.
import { TesseraError } from '../../../shared/contract/index.ts';

/** Wiring of a Secret into a workload (Deployment, StatefulSet or DaemonSet). */
export interface WorkloadRef {
  kind: string;
  name: string;
  /** Container to wire; every container of the live workload when absent. */
  container?: string | undefined;
}

/** One Secret of an app, at the version the vault publishes. Names only, never values. */
export interface SecretSpec {
  app: string;
  /** Secret name in Kubernetes. */
  name: string;
  namespace: string;
  createNamespace: boolean;
  versionId: string;
  keys: string[];
  /** env: one env entry per key (valueFrom.secretKeyRef, named like the key); volume: a secret volume and a mount. */
  delivery: 'env' | 'volume';
  mountPath?: string | null | undefined;
  workload?: WorkloadRef | null | undefined;
  /** Secret type, default Opaque. */
  type?: string;
}

/** Decrypted values of one version. The caller owns the buffers; the kube layer zeroes what it copies. */
export interface SecretValues {
  versionId: string;
  keys: Map<string, Buffer>;
}

export interface AppPublication {
  app: string;
  /** Targeting as the vault keeps it: a selector over cluster labels ("" selects none), include and exclude lists. */
  targeting: { selector: string; include: string[]; exclude: string[] };
  /** Clusters the operator published the app on (it is desired there if targeting allows it too). */
  published: string[];
  secrets: SecretSpec[];
}

export interface KubeCatalog {
  /** Apps as published now. */
  publications(): Promise<AppPublication[]>;
  /**
   * Hands the values of a spec's version to fn (needs the vault unlocked; throws TOKEN_LOCKED
   * etc.). The buffers are valid only inside fn and are zeroed when it settles.
   */
  withValues<T>(spec: SecretSpec, fn: (values: SecretValues) => Promise<T>): Promise<T>;
}

/** A catalog with nothing published: the matrix still shows orphaned Secrets. */
export const EMPTY_CATALOG: KubeCatalog = {
  publications: async () => [],
  withValues: async () => {
    throw new TesseraError('UNAVAILABLE', 'No values source is configured for the Kubernetes layer (the vault is not available).');
  },
};

/** A catalog held in memory (tests, and callers that bring their own values). */
export function memoryCatalog(publications: AppPublication[], values: Map<string, SecretValues> = new Map()): KubeCatalog {
  return {
    publications: async () => publications,
    withValues: async (spec, fn) => {
      const v = values.get(spec.versionId);
      if (!v) throw new TesseraError('NOT_FOUND', `No values for version ${spec.versionId} of ${spec.app}/${spec.name}.`);
      const copy = { versionId: v.versionId, keys: new Map([...v.keys].map(([k, b]) => [k, Buffer.from(b)])) };
      try {
        return await fn(copy);
      } finally {
        for (const b of copy.keys.values()) b.fill(0);
      }
    },
  };
}

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'tessera';
export const APP_LABEL = 'tessera.dev/app';
export const VERSION_ANNOTATION = 'tessera.dev/version-id';
export const KEYS_ANNOTATION = 'tessera.dev/keys';
export const PROVISIONED_AT_ANNOTATION = 'tessera.dev/provisioned-at';
export const PROVISIONED_BY_ANNOTATION = 'tessera.dev/provisioned-by';
/** A random id per write, recorded in the store before the write: recognises Tessera's own Secret when the write's answer was lost. */
export const WRITE_ID_ANNOTATION = 'tessera.dev/write-id';
export const FIELD_MANAGER = 'tessera';
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
