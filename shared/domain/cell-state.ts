// The state of one (app, cluster) cell of the matrix, as README.md ("What it does") lists them.
// Pure data: the Kubernetes layer computes states, the renderer shows them.

export const CELL_STATES = [
  'not-targeted',
  'missing',
  'in-sync',
  'outdated',
  'drifted',
  'orphaned',
  'pending-approval',
  'in-flight',
  'unreachable',
  'forbidden',
  'error',
  // Carries Tessera's label but Tessera did not create or adopt it: shown, never changed or deleted.
  'claimed',
  // Appended, not inserted: compact matrices code states by their index here.
  'unpublished',
] as const;

export type CellState = (typeof CELL_STATES)[number];

/** States that need someone's attention ("only problems"). */
export const PROBLEM_STATES: readonly CellState[] = ['missing', 'outdated', 'drifted', 'orphaned', 'claimed', 'unreachable', 'forbidden', 'error'];

/** States where what is live differs from what Tessera wrote ("only drift"). */
export const DRIFT_STATES: readonly CellState[] = ['drifted', 'outdated', 'orphaned'];

/** Words for each state, for accessible names and legends. */
export const CELL_STATE_LABEL: Record<CellState, string> = {
  'not-targeted': 'not targeted',
  missing: 'missing',
  'in-sync': 'in sync',
  outdated: 'outdated',
  drifted: 'drifted',
  orphaned: 'orphaned',
  'pending-approval': 'pending approval',
  'in-flight': 'in flight',
  unreachable: 'unreachable',
  forbidden: 'forbidden',
  error: 'error',
  claimed: "claims to be Tessera's",
  unpublished: 'matches · not published',
};

/** Who changed a managed Secret's data behind Tessera's back, from its managedFields. */
export interface CellDrift {
  /** The field manager (e.g. kubectl-patch, kubectl-edit) that owns data keys Tessera wrote. */
  manager: string;
  operation: string;
  /** When that manager last wrote, as the API server recorded it (RFC 3339), or null. */
  time: string | null;
  /** Data keys this manager now owns. */
  keys: string[];
}

/** Wiring of a Secret into a workload that is no longer all there (someone removed an env entry, volume or mount). */
export interface WiringDrift {
  /** Kind/name of the workload. */
  workload: string;
  /** Tessera's field manager for this secret's wiring (tessera/<app>/<secret>), whose fields are gone. */
  manager: string;
  /** What is gone, in words: "volume tessera-tls", "env API_KEY in container main". */
  missing: string[];
  /** The last other field manager that wrote the workload after Tessera, when the API server kept one. */
  changedBy: string | null;
  time: string | null;
}

/** What one managed Secret of an app looks like on one cluster. */
export interface SecretCell {
  namespace: string;
  name: string;
  state: CellState;
  reason: string;
  /** The version id Tessera last wrote there (annotation), when the Secret exists. */
  liveVersionId: string | null;
  /** The version the vault publishes for this app, when the app is published. */
  publishedVersionId: string | null;
  uid: string | null;
  /** Keys live but not in the keys annotation, and the other way round. */
  keysAdded: string[];
  keysRemoved: string[];
  drift: CellDrift[];
  /** Wiring into the secret's workload that is gone (absent when the secret wires nothing). */
  wiring?: WiringDrift[];
}

/** One (app, cluster) cell of the matrix: the worst state of the app's Secrets there. */
export interface MatrixCell {
  app: string;
  cluster: string;
  state: CellState;
  /** A sentence for the operator; never holds a value. */
  reason: string;
  secrets: SecretCell[];
}

/** Order used to fold several Secrets of one app into one cell: the first listed wins. */
const SEVERITY: readonly CellState[] = [
  'error',
  'unreachable',
  'forbidden',
  'drifted',
  'claimed',
  'orphaned',
  'outdated',
  'missing',
  'in-flight',
  'pending-approval',
  'in-sync',
  'unpublished',
  'not-targeted',
];

export function worstState(states: readonly CellState[]): CellState {
  let best = SEVERITY.length - 1;
  for (const s of states) best = Math.min(best, SEVERITY.indexOf(s));
  return states.length === 0 ? 'not-targeted' : SEVERITY[best]!;
}

/**
 * One character per state, for compact matrices: 200 apps × 1,000 clusters travel as 200
 * strings of 1,000 characters instead of 200,000 objects.
 */
export function stateCode(state: CellState): string {
  return String.fromCharCode(97 + CELL_STATES.indexOf(state));
}

export function stateFromCode(code: string): CellState {
  return CELL_STATES[code.charCodeAt(0) - 97] ?? 'error';
}

/** The states of one row (app) of a scan, one character per cluster in the scan's order. */
export function encodeRow(states: readonly CellState[]): string {
  return states.map(stateCode).join('');
}
