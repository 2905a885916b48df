// Turns a scan snapshot into what the grid draws: grouped, filtered rows and columns and a
// compact state table (one byte per tile), so 200,000 tiles cost 200 KB and O(1) lookups.
import type { AppTargeting, CompactMatrix } from '../../../../shared/contract/index.ts';
import { CELL_STATES, DRIFT_STATES, PROBLEM_STATES, type CellState } from '../../../../shared/domain/cell-state.ts';
import type { MatrixAxisItem } from '../../components/MatrixGrid/index.ts';
import { matches, parseSelector } from '../../../../shared/domain/labels.ts';

export interface MatrixApp {
  id: string;
  name: string;
  namespace: string;
  owners: string[];
  /** Which clusters the app's targeting picks; tiles it picks but that are not published read "matches · not published". */
  targeting?: AppTargeting;
}

export interface MatrixCluster {
  name: string;
  labels: Record<string, string>;
}

export interface MatrixCell {
  appId: string;
  cluster: string;
  state: CellState;
}

export interface MatrixSnapshot {
  apps: MatrixApp[];
  clusters: MatrixCluster[];
  /** Cells one by one (small matrices, tests). */
  cells?: MatrixCell[];
  /** The scan as rows of state codes (what the backend sends for large fleets). */
  matrix?: CompactMatrix | null;
  /** States that changed since the matrix (live scan progress), by app then cluster. */
  updates?: ReadonlyMap<string, ReadonlyMap<string, CellState>>;
}

export type StateFilter = 'all' | 'drift' | 'problems';

export interface MatrixView {
  rowGroupBy: 'namespace' | 'owner';
  /** A cluster label key to group columns by, or null for no grouping. */
  columnGroupBy: string | null;
  appSearch: string;
  /** Keeps clusters whose labels match (see matchesSelector). */
  clusterSelector: (labels: Record<string, string>) => boolean;
  stateFilter: StateFilter;
}

export interface MatrixModel {
  rows: MatrixAxisItem[];
  columns: MatrixAxisItem[];
  stateAt: (row: number, col: number) => CellState;
  /** Counts per state over the tiles shown. */
  counts: Partial<Record<CellState, number>>;
  appById: Map<string, MatrixApp>;
}

const STATE_INDEX = new Map(CELL_STATES.map((s, i) => [s, i]));
const NOT_TARGETED = STATE_INDEX.get('not-targeted')!;
const UNPUBLISHED = STATE_INDEX.get('unpublished')!;

function compare(a: string | null, b: string | null) {
  return (a ?? '\uffff').localeCompare(b ?? '\uffff', undefined, { numeric: true });
}

export function buildMatrixModel(snapshot: MatrixSnapshot, view: MatrixView): MatrixModel {
  // Full table first: apps × clusters, one byte per tile.
  const clusterIndex = new Map(snapshot.clusters.map((c, i) => [c.name, i]));
  const appIndex = new Map(snapshot.apps.map((a, i) => [a.id, i]));
  const width = snapshot.clusters.length;
  const table = new Uint8Array(snapshot.apps.length * width).fill(NOT_TARGETED);
  for (const cell of snapshot.cells ?? []) {
    const a = appIndex.get(cell.appId);
    const c = clusterIndex.get(cell.cluster);
    if (a !== undefined && c !== undefined) table[a * width + c] = STATE_INDEX.get(cell.state) ?? NOT_TARGETED;
  }
  const matrix = snapshot.matrix;
  if (matrix) {
    // State codes are 'a' + the state's index, so a code maps to its index by subtraction.
    const columnOf = matrix.clusters.map((c) => clusterIndex.get(c) ?? -1);
    matrix.apps.forEach((app, row) => {
      const a = appIndex.get(app);
      const codes = matrix.rows[row];
      if (a === undefined || codes === undefined) return;
      for (let j = 0; j < columnOf.length; j++) {
        const c = columnOf[j]!;
        if (c >= 0) table[a * width + c] = codes.charCodeAt(j) - 97;
      }
    });
  }
  for (const [app, byCluster] of snapshot.updates ?? []) {
    const a = appIndex.get(app);
    if (a === undefined) continue;
    for (const [cluster, state] of byCluster) {
      const c = clusterIndex.get(cluster);
      if (c !== undefined) table[a * width + c] = STATE_INDEX.get(state) ?? NOT_TARGETED;
    }
  }

  // Not published but picked by the app's targeting: say so, it is one Provision away.
  snapshot.apps.forEach((app, a) => {
    if (!app.targeting) return;
    // The backend's rule (see apps/targeting.ts): exclude wins, then include, then the selector.
    const t = app.targeting;
    const selector = t.selector.trim() === '' ? null : parseSelector(t.selector).selector;
    if (selector === null && t.include.length === 0) return;
    const include = new Set(t.include);
    const exclude = new Set(t.exclude);
    snapshot.clusters.forEach((cluster, c) => {
      const i = a * width + c;
      if (table[i] !== NOT_TARGETED || exclude.has(cluster.name)) return;
      if (include.has(cluster.name) || (selector !== null && matches(selector, cluster.labels))) table[i] = UNPUBLISHED;
    });
  });

  const search = view.appSearch.trim().toLowerCase();
  let appIdx = snapshot.apps
    .map((_, i) => i)
    .filter((i) => {
      const app = snapshot.apps[i]!;
      return search === '' || app.name.toLowerCase().includes(search) || app.namespace.toLowerCase().includes(search);
    });
  let clusterIdx = snapshot.clusters.map((_, i) => i).filter((i) => view.clusterSelector(snapshot.clusters[i]!.labels));

  if (view.stateFilter !== 'all') {
    const wanted = new Set((view.stateFilter === 'drift' ? DRIFT_STATES : PROBLEM_STATES).map((s) => STATE_INDEX.get(s)!));
    const hit = (a: number, c: number) => wanted.has(table[a * width + c]!);
    appIdx = appIdx.filter((a) => clusterIdx.some((c) => hit(a, c)));
    clusterIdx = clusterIdx.filter((c) => appIdx.some((a) => hit(a, c)));
  }

  const rowGroup = (app: MatrixApp) => (view.rowGroupBy === 'namespace' ? app.namespace : (app.owners[0] ?? null));
  appIdx.sort((x, y) => {
    const a = snapshot.apps[x]!;
    const b = snapshot.apps[y]!;
    return compare(rowGroup(a), rowGroup(b)) || compare(a.name, b.name);
  });
  const columnGroup = (c: MatrixCluster) => (view.columnGroupBy === null ? null : (c.labels[view.columnGroupBy] ?? null));
  clusterIdx.sort((x, y) => {
    const a = snapshot.clusters[x]!;
    const b = snapshot.clusters[y]!;
    return compare(columnGroup(a), columnGroup(b)) || compare(a.name, b.name);
  });

  const counts: Partial<Record<CellState, number>> = {};
  for (const a of appIdx)
    for (const c of clusterIdx) {
      const state = CELL_STATES[table[a * width + c]!]!;
      counts[state] = (counts[state] ?? 0) + 1;
    }

  return {
    rows: appIdx.map((i) => {
      const app = snapshot.apps[i]!;
      return { id: app.id, label: app.name, group: rowGroup(app) };
    }),
    columns: clusterIdx.map((i) => {
      const cluster = snapshot.clusters[i]!;
      const group = columnGroup(cluster);
      return { id: cluster.name, label: cluster.name, group: group === null || view.columnGroupBy === null ? null : `${view.columnGroupBy}=${group}` };
    }),
    stateAt: (row, col) => CELL_STATES[table[appIdx[row]! * width + clusterIdx[col]!]!]!,
    counts,
    appById: new Map(snapshot.apps.map((a) => [a.id, a])),
  };
}
