// The matrix in compact form: one string of state codes per app. What the UI needs to draw
// 200,000 tiles, without each cell's Secrets and reasons (those come per cell, on demand).
import type { CompactMatrix, ScanResult } from '../../../shared/contract/index.ts';
import { stateCode } from '../../../shared/domain/cell-state.ts';

export function compactMatrix(scan: ScanResult): CompactMatrix {
  const appIndex = new Map(scan.apps.map((a, i) => [a, i]));
  const clusterIndex = new Map(scan.clusters.map((c, i) => [c, i]));
  const notTargeted = stateCode('not-targeted');
  const rows = scan.apps.map(() => new Array<string>(scan.clusters.length).fill(notTargeted));
  for (const cell of scan.cells) {
    const a = appIndex.get(cell.app);
    const c = clusterIndex.get(cell.cluster);
    if (a !== undefined && c !== undefined) rows[a]![c] = stateCode(cell.state);
  }
  return {
    scanId: scan.scanId,
    startedAt: scan.startedAt,
    finishedAt: scan.finishedAt,
    cancelled: scan.cancelled,
    apps: scan.apps,
    clusters: scan.clusters,
    rows: rows.map((r) => r.join('')),
    ...(scan.clusterScannedAt ? { clusterScannedAt: scan.clusterScannedAt } : {}),
  };
}
