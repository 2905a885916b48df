// Kubernetes label selectors: parsing (equality- and set-based, as kubectl accepts them),
// canonical printing and matching against a cluster's labels. Pure TypeScript.
import { labelKeyRule, labelValueRule } from './names.ts';

export type Requirement =
  { key: string; op: '=' | '!='; value: string } | { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!' };

export type LabelSelector = Requirement[];
export type Labels = Record<string, string>;

export interface SelectorParse {
  selector: LabelSelector | null;
  /** Why it does not parse, naming the offending part. */
  error: string | null;
}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** Parses "env=prod,region in (eu,us),!legacy,tier!=db". The empty string selects everything. */
export function parseSelector(text: string): SelectorParse {
  const trimmed = text.trim();
  if (trimmed === '') return { selector: [], error: null };
  const selector: LabelSelector = [];
  for (const raw of splitTop(trimmed)) {
    const part = raw.trim();
    if (part === '') return { selector: null, error: 'has an empty requirement (two commas in a row?)' };
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/u.exec(part);
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/u.exec(part);
    const not = /^!\s*(\S+)$/u.exec(part);
    let req: Requirement;
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      if (values.length === 0 || values.some((v) => v === '')) return { selector: null, error: `"${part}" needs a non-empty value list` };
      req = { key: set[1]!, op: set[2] as 'in' | 'notin', values: [...new Set(values)].sort() };
    } else if (eq) {
      req = { key: eq[1]!, op: eq[2] === '!=' ? '!=' : '=', value: eq[3]! };
    } else if (not) {
      req = { key: not[1]!, op: '!' };
    } else if (/^\S+$/u.test(part)) {
      req = { key: part, op: 'exists' };
    } else {
      return { selector: null, error: `"${part}" is not a requirement (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)` };
    }
    const keyProblem = labelKeyRule(req.key);
    if (keyProblem) return { selector: null, error: `"${req.key}" ${keyProblem}` };
    const values = 'value' in req ? [req.value] : 'values' in req ? req.values : [];
    for (const v of values) {
      const problem = labelValueRule(v);
      if (problem) return { selector: null, error: `value "${v}" ${problem}` };
    }
    selector.push(req);
  }
  return { selector, error: null };
}

/** Null when the text is a valid selector, else the rule it breaks. */
export function selectorRule(text: string): string | null {
  const parsed = parseSelector(text);
  return parsed.error === null ? null : `must be a label selector: ${parsed.error}`;
}

export function formatSelector(selector: LabelSelector): string {
  return selector
    .map((r) => {
      if (r.op === '=' || r.op === '!=') return `${r.key}${r.op}${r.value}`;
      if (r.op === 'in' || r.op === 'notin') return `${r.key} ${r.op} (${r.values.join(',')})`;
      return r.op === '!' ? `!${r.key}` : r.key;
    })
    .join(',');
}

export function matches(selector: LabelSelector, labels: Labels): boolean {
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case '=':
        return has && v === r.value;
      case '!=':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!':
        return !has;
    }
  });
}

/** Label map rules: every key and value valid. Returns the first problem with its key. */
export function labelsRule(labels: Labels): { key: string; message: string } | null {
  for (const [key, value] of Object.entries(labels)) {
    const k = labelKeyRule(key);
    if (k) return { key, message: k };
    const v = labelValueRule(value);
    if (v) return { key, message: v };
  }
  return null;
}
