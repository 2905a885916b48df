// The matrix model: a scan (cells, a compact matrix, live updates) becomes grouped, filtered
// rows and columns with a state per tile and counts over what is shown.
import { describe, expect, it } from 'vitest';
import { CELL_STATES, type CellState } from '../../../../shared/domain/cell-state.ts';
import { buildMatrixModel, type MatrixSnapshot, type MatrixView } from './matrix-model.ts';

const apps = [
  { id: 'id-web', name: 'web', namespace: 'shop', owners: ['ann'] },
  { id: 'id-api', name: 'api', namespace: 'shop', owners: ['bob'] },
  { id: 'id-db', name: 'db', namespace: 'data', owners: [] },
];
const clusters = [
  { name: 'prod-2', labels: { env: 'prod' } },
  { name: 'dev-1', labels: { env: 'dev' } },
  { name: 'prod-10', labels: { env: 'prod' } },
];
const view: MatrixView = { rowGroupBy: 'namespace', columnGroupBy: null, appSearch: '', clusterSelector: () => true, stateFilter: 'all' };
const code = (s: CellState) => String.fromCharCode(97 + CELL_STATES.indexOf(s));
const tile = (m: ReturnType<typeof buildMatrixModel>, app: string, cluster: string) =>
  m.stateAt(
    m.rows.findIndex((r) => r.label === app),
    m.columns.findIndex((c) => c.id === cluster),
  );

describe('buildMatrixModel', () => {
  it('groups rows by namespace and sorts clusters by name with numbers in order', () => {
    const m = buildMatrixModel({ apps, clusters }, view);
    expect(m.rows.map((r) => `${r.group}/${r.label}`)).toEqual(['data/db', 'shop/api', 'shop/web']);
    expect(m.columns.map((c) => c.id)).toEqual(['dev-1', 'prod-2', 'prod-10']);
  });

  it('shows not-targeted where the scan says nothing', () => {
    const m = buildMatrixModel({ apps, clusters }, view);
    expect(tile(m, 'web', 'dev-1')).toBe('not-targeted');
    expect(m.counts).toEqual({ 'not-targeted': 9 });
  });

  it('reads cells, then the compact matrix, then live updates, later ones winning', () => {
    const snapshot: MatrixSnapshot = {
      apps,
      clusters,
      cells: [{ appId: 'id-web', cluster: 'dev-1', state: 'missing' }],
      matrix: {
        scanId: 's',
        startedAt: '',
        finishedAt: null,
        cancelled: false,
        apps: ['id-web', 'id-gone'],
        clusters: ['dev-1', 'prod-2', 'unknown'],
        rows: [code('in-sync') + code('drifted') + code('error'), code('error').repeat(3)],
      },
      updates: new Map([['id-web', new Map<string, CellState>([['prod-2', 'outdated']])]]),
    };
    const m = buildMatrixModel(snapshot, view);
    expect(tile(m, 'web', 'dev-1')).toBe('in-sync');
    expect(tile(m, 'web', 'prod-2')).toBe('outdated');
    expect(tile(m, 'web', 'prod-10')).toBe('not-targeted');
    expect(m.counts['in-sync']).toBe(1);
    expect(m.counts.outdated).toBe(1);
    expect(m.counts.error).toBeUndefined();
  });

  it('keeps only rows and columns with drift when filtering on drift', () => {
    const cells = [
      { appId: 'id-web', cluster: 'prod-2', state: 'drifted' as const },
      { appId: 'id-api', cluster: 'dev-1', state: 'in-sync' as const },
    ];
    const m = buildMatrixModel({ apps, clusters, cells }, { ...view, stateFilter: 'drift' });
    expect(m.rows.map((r) => r.label)).toEqual(['web']);
    expect(m.columns.map((c) => c.id)).toEqual(['prod-2']);
  });

  it('searches apps by name or namespace and filters clusters by the selector', () => {
    const m = buildMatrixModel({ apps, clusters }, { ...view, appSearch: 'DATA', clusterSelector: (l) => l.env === 'prod' });
    expect(m.rows.map((r) => r.label)).toEqual(['db']);
    expect(m.columns.map((c) => c.id)).toEqual(['prod-2', 'prod-10']);
  });

  it('groups columns by a label and rows by first owner, apps without owner last', () => {
    const m = buildMatrixModel({ apps, clusters }, { ...view, rowGroupBy: 'owner', columnGroupBy: 'env' });
    expect(m.columns.map((c) => `${c.group}:${c.id}`)).toEqual(['env=dev:dev-1', 'env=prod:prod-2', 'env=prod:prod-10']);
    expect(m.rows.map((r) => r.label)).toEqual(['web', 'api', 'db']);
  });
});
