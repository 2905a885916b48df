// Reads a Secret's managedFields (present in metadata-only lists) to learn which data keys are
// live and which field managers own them, without ever fetching a value.
import type { CellDrift } from '../../../shared/domain/cell-state.ts';
import { FIELD_MANAGER } from './types.ts';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

function dataKeysOf(entry: ManagedFieldsEntry): string[] {
  const data = entry.fieldsV1?.['f:data'];
  if (typeof data !== 'object' || data === null) return [];
  return Object.keys(data)
    .filter((k) => k.startsWith('f:'))
    .map((k) => k.slice(2));
}

export interface DataOwnership {
  /** Every data key some manager owns: the live key set. */
  liveKeys: string[];
  /** Managers other than Tessera that own data keys, with when they last wrote. */
  foreign: CellDrift[];
}

export function dataOwnership(managedFields: unknown): DataOwnership {
  const entries = Array.isArray(managedFields) ? (managedFields as ManagedFieldsEntry[]) : [];
  const live = new Set<string>();
  const foreign: CellDrift[] = [];
  for (const entry of entries) {
    const keys = dataKeysOf(entry);
    for (const k of keys) live.add(k);
    if (keys.length > 0 && entry.manager !== FIELD_MANAGER) {
      foreign.push({ manager: entry.manager ?? '(unknown)', operation: entry.operation ?? '', time: entry.time ?? null, keys: keys.sort() });
    }
  }
  return { liveKeys: [...live].sort(), foreign };
}
