// The rules a secret and one of its versions must meet before it is stored, shared with the
// renderer so a form can say what is wrong as the user types.
import { dnsLabelRule, dnsSubdomainRule, envVarRule, mountPathRule, secretKeyRule, type RuleViolation } from './names.ts';

export type Delivery = 'env' | 'volume';
/** The workload kinds Tessera wires a Secret into, through their pod templates. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/**
 * Why a kind cannot be wired, in a sentence; null when it can. A Job's pod template is
 * immutable once the Job exists, so wiring it would fail on every Job that already runs and
 * never reach the next one: refused when the secret is defined, not at execution.
 */
export function workloadKindRule(kind: string): string | null {
  if ((WORKLOAD_KINDS as readonly string[]).includes(kind)) return null;
  if (kind === 'Job')
    return "cannot be Job: a Job's pod template cannot be changed once the Job exists, so Tessera cannot wire a Secret into it; wire the CronJob that creates the Jobs, or reference the Secret in the Job's own manifest";
  return `must be one of ${WORKLOAD_KINDS.join(', ')} (Tessera wires a Secret through the pod template of these kinds only)`;
}

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  /** Container to wire; every container when absent. */
  container?: string | undefined;
}

export interface SecretSpec {
  /** The Kubernetes Secret name. */
  name: string;
  delivery: Delivery;
  mountPath?: string | undefined;
  workload?: WorkloadRef | undefined;
  createNamespace?: boolean | undefined;
}

/** Kubernetes refuses a Secret whose data (base64-encoded) exceeds 1 MiB; Tessera keeps a margin for metadata. */
export const MAX_SECRET_BYTES = 1024 * 1024;
export const METADATA_MARGIN = 16 * 1024;

/** Length of the base64 encoding of n bytes. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

export function secretSpecViolations(spec: SecretSpec, prefix = ''): RuleViolation[] {
  const out: RuleViolation[] = [];
  const at = (f: string) => `${prefix}${f}`;
  const push = (field: string, rule: string | null) => {
    if (rule) out.push({ field: at(field), message: rule });
  };
  push('name', dnsSubdomainRule(spec.name));
  if (spec.delivery !== 'env' && spec.delivery !== 'volume') out.push({ field: at('delivery'), message: 'must be "env" or "volume"' });
  if (spec.delivery === 'volume') {
    if (spec.mountPath === undefined) out.push({ field: at('mountPath'), message: 'is required when the secret is delivered as a volume' });
    else push('mountPath', mountPathRule(spec.mountPath));
  } else if (spec.mountPath !== undefined) out.push({ field: at('mountPath'), message: 'applies only when the secret is delivered as a volume' });
  if (spec.workload) {
    push('workload.kind', workloadKindRule(spec.workload.kind));
    push('workload.name', dnsSubdomainRule(spec.workload.name));
    if (spec.workload.container !== undefined) push('workload.container', dnsLabelRule(spec.workload.container));
  }
  return out;
}

/** Rules for the key names of a version (or a secret's declared keys) under a delivery. */
export function keyNameViolations(names: readonly string[], delivery: Delivery, prefix = 'keys'): RuleViolation[] {
  const out: RuleViolation[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const field = `${prefix}.${i}.name`;
    const rule = secretKeyRule(name) ?? (delivery === 'env' ? envVarRule(name) : null);
    if (rule) out.push({ field, message: rule });
    else if (seen.has(name)) out.push({ field, message: `duplicates key "${name}"` });
    seen.add(name);
  });
  if (names.length === 0) out.push({ field: prefix, message: 'must hold at least one key' });
  return out;
}

/** The size Kubernetes counts: every key name plus the base64 of every value. */
export function secretDataSize(entries: readonly { name: string; size: number }[]): number {
  return entries.reduce((sum, e) => sum + e.name.length + base64Length(e.size), 0);
}

/** Every rule for a new version: key names, duplicates, delivery rules and total size. */
export function versionViolations(entries: readonly { name: string; size: number }[], delivery: Delivery, prefix = 'keys'): RuleViolation[] {
  const out = keyNameViolations(
    entries.map((e) => e.name),
    delivery,
    prefix,
  );
  const size = secretDataSize(entries);
  if (size > MAX_SECRET_BYTES - METADATA_MARGIN) {
    out.push({
      field: prefix,
      message: `must fit in a Kubernetes Secret: ${size} bytes after base64, the limit is ${MAX_SECRET_BYTES - METADATA_MARGIN} (1 MiB less room for metadata)`,
    });
  }
  return out;
}

export interface AppSpec {
  name: string;
  namespace: string;
}

export function appSpecViolations(spec: AppSpec): RuleViolation[] {
  const out: RuleViolation[] = [];
  const n = dnsSubdomainRule(spec.name);
  if (n) out.push({ field: 'name', message: n });
  const ns = dnsLabelRule(spec.namespace);
  if (ns) out.push({ field: 'namespace', message: ns });
  return out;
}
