import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../shared/contract/index.ts';
import { withEarlierClusters } from './kube-service.ts';

const cell = (app: string, cluster: string, state: 'missing' | 'in-sync') => ({ app, cluster, state, reason: '', secrets: [] });

const earlier: ScanResult = {
  scanId: 'a',
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:00:05.000Z',
  apps: ['billing'],
  clusters: ['prod-1', 'staging-1'],
  cells: [cell('billing', 'prod-1', 'missing'), cell('billing', 'staging-1', 'in-sync')],
  cancelled: false,
};

describe('a scan of some clusters', () => {
  it('keeps what the earlier scan knew of the other clusters, with when it was read', () => {
    const now: ScanResult = {
      ...earlier,
      scanId: 'b',
      startedAt: '2026-01-01T11:00:00.000Z',
      finishedAt: '2026-01-01T11:00:01.000Z',
      clusters: ['prod-1'],
      cells: [cell('billing', 'prod-1', 'in-sync')],
    };
    const merged = withEarlierClusters(now, earlier);
    expect(merged.clusters).toEqual(['prod-1', 'staging-1']);
    expect(merged.cells).toEqual([cell('billing', 'prod-1', 'in-sync'), cell('billing', 'staging-1', 'in-sync')]);
    expect(merged.clusterScannedAt).toEqual({ 'staging-1': '2026-01-01T10:00:05.000Z' });
    // Kept again by a third partial scan, the cluster keeps its first time, not the second scan's.
    const third = withEarlierClusters({ ...now, scanId: 'c' }, merged);
    expect(third.clusterScannedAt).toEqual({ 'staging-1': '2026-01-01T10:00:05.000Z' });
  });
  it('is the scan itself when it covers every cluster', () => {
    const full = { ...earlier, scanId: 'b' };
    expect(withEarlierClusters(full, earlier)).toBe(full);
  });
});
