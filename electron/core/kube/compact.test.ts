import { describe, expect, it } from 'vitest';
import { stateFromCode } from '../../../shared/domain/cell-state.ts';
import { compactMatrix } from './compact.ts';

describe('compact matrix', () => {
  it('puts each app state at its cluster position and fills the rest with not-targeted', () => {
    const m = compactMatrix({
      scanId: 's',
      startedAt: 't',
      finishedAt: 't',
      cancelled: false,
      apps: ['billing', 'search'],
      clusters: ['c1', 'c2', 'c3'],
      cells: [
        { app: 'billing', cluster: 'c2', state: 'drifted', reason: 'r', secrets: [] },
        { app: 'search', cluster: 'c1', state: 'in-sync', reason: 'r', secrets: [] },
        { app: 'search', cluster: 'c3', state: 'forbidden', reason: 'r', secrets: [] },
      ],
    });
    expect(m.rows.map((r) => [...r].map(stateFromCode))).toEqual([
      ['not-targeted', 'drifted', 'not-targeted'],
      ['in-sync', 'not-targeted', 'forbidden'],
    ]);
  });
});
