// The editor's rows and their validation with the shared version rules (the same ones the
// backend applies on write), mapped back to the row and field they concern.
import { versionViolations, type Delivery } from '../../../../shared/domain/secret-rules.ts';

export interface KeyValueRow {
  /** Stable id for React keys and error mapping; never sent. */
  id: string;
  name: string;
  value: string;
  encoding: 'utf8' | 'base64';
}

export interface KeyValueErrors {
  /** Per row id: what is wrong with the key name. */
  rows: Record<string, string>;
  /** About the version as a whole (no keys, too large). */
  version: string | null;
}

let counter = 0;
export function newRow(name = ''): KeyValueRow {
  counter += 1;
  return { id: `row-${counter}`, name, value: '', encoding: 'utf8' };
}

/** Bytes the value takes once decoded. */
export function valueSize(row: Pick<KeyValueRow, 'value' | 'encoding'>): number {
  if (row.encoding === 'utf8') return new TextEncoder().encode(row.value).length;
  const padding = row.value.endsWith('==') ? 2 : row.value.endsWith('=') ? 1 : 0;
  return Math.floor((row.value.length * 3) / 4) - padding;
}

export function validateRows(rows: readonly KeyValueRow[], delivery: Delivery): KeyValueErrors {
  const errors: KeyValueErrors = { rows: {}, version: null };
  for (const v of versionViolations(
    rows.map((r) => ({ name: r.name, size: valueSize(r) })),
    delivery,
    'keys',
  )) {
    const m = /^keys\.(\d+)\.name$/u.exec(v.field);
    const row = m ? rows[Number(m[1])] : undefined;
    if (row) errors.rows[row.id] ??= `Key name ${v.message}`;
    else errors.version ??= `The version ${v.message}`;
  }
  return errors;
}

export function hasErrors(errors: KeyValueErrors): boolean {
  return errors.version !== null || Object.keys(errors.rows).length > 0;
}
