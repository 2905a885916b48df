// Name and value rules shared by the backend (validation on write) and the renderer (validation
// as you type). Pure TypeScript: no Node APIs. Every check returns null when the value is fine
// or a sentence naming the rule; `check` turns that into INVALID_INPUT naming the field.
import { TesseraError } from '../contract/errors.ts';

/** A rule violation: the dotted field path and the sentence that names the rule. */
export interface RuleViolation {
  field: string;
  message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/u;
/** C identifier: what shells, dotenv loaders and most apps accept. Kubernetes itself accepts more. */
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/u;

/** DNS-1123 label (namespaces, container names): lower-case alphanumerics and '-', ≤ 63. */
export function dnsLabelRule(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 63) return 'must be at most 63 characters (DNS-1123 label)';
  if (!DNS1123_LABEL.test(value)) return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  return null;
}

/** DNS-1123 subdomain (Secret, app and workload names): labels joined by '.', ≤ 253. */
export function dnsSubdomainRule(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 253) return 'must be at most 253 characters (DNS-1123 subdomain)';
  if (!DNS1123_SUBDOMAIN.test(value))
    return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit";
  return null;
}

/** A key inside a Kubernetes Secret: [-._a-zA-Z0-9]+, ≤ 253, not "." or "..". */
export function secretKeyRule(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 253) return 'must be at most 253 characters';
  if (!SECRET_KEY.test(value)) return 'must match [-._a-zA-Z0-9]+ (letters, digits, "-", "_" and ".")';
  if (value === '.' || value === '..') return 'must not be "." or ".."';
  return null;
}

/**
 * A key delivered as an environment variable: a C identifier [A-Za-z_][A-Za-z0-9_]*. Kubernetes
 * accepts any printable name except "=", but shells and most runtimes only see C identifiers.
 */
export function envVarRule(value: string): string | null {
  if (!ENV_VAR.test(value)) return 'must be an environment variable name [A-Za-z_][A-Za-z0-9_]* when the secret is delivered as env';
  return null;
}

/** An absolute mount path without '..' parts, ':' or NUL. */
export function mountPathRule(value: string): string | null {
  if (!value.startsWith('/')) return 'must be an absolute path (start with "/")';
  if (value.length > 4096) return 'must be at most 4096 characters';
  if (value.split('/').includes('..')) return 'must not contain ".." parts';
  if (value.includes(':') || value.includes('\u0000')) return 'must not contain ":" or NUL';
  return null;
}

/** Kubernetes label keys ([prefix/]name) and values. */
export function labelKeyRule(value: string): string | null {
  const slash = value.indexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : null;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== null && dnsSubdomainRule(prefix) !== null) return 'must have a DNS-1123 subdomain as its prefix';
  if (name.length === 0 || name.length > 63) return 'must have a name of 1 to 63 characters';
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/u.test(name))
    return "must be a label key: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return null;
}

export function labelValueRule(value: string): string | null {
  if (value.length > 63) return 'must be at most 63 characters';
  if (value !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/u.test(value))
    return "must be a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  return null;
}

/** A principal or recipient label: printable, 1–128 characters. */
export function displayNameRule(value: string): string | null {
  if (value.trim().length === 0) return 'must not be empty';
  if (value.length > 128) return 'must be at most 128 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/u.test(value)) return 'must not contain control characters';
  return null;
}

/** Throws INVALID_INPUT naming the field and the rule, when the rule fails. */
export function check(field: string, rule: string | null): void {
  if (rule !== null) throw new TesseraError('INVALID_INPUT', `"${field}": ${rule}.`, { field });
}

/** Throws INVALID_INPUT for the first violation. */
export function throwFirst(violations: RuleViolation[]): void {
  const first = violations[0];
  if (first) throw new TesseraError('INVALID_INPUT', `"${first.field}": ${first.message}.`, { field: first.field });
}
