// The matrix's data: apps from the vault, clusters from kubeconfig, cells from the last scan,
// updated live while a scan streams scan.progress. Progress is folded in at most four times a
// second so a 1,000-cluster scan does not rebuild the model a thousand times.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ScanResult } from '../../../../shared/contract/index.ts';
import type { MatrixCell } from '../../../../shared/domain/cell-state.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import type { MatrixSnapshot } from './matrix-model.ts';

export interface ScanProgressState {
  done: number;
  total: number;
}

export interface MatrixData {
  snapshot: MatrixSnapshot | null;
  /** Full cell details by app and cluster, for the drawer. */
  cellAt: (app: string, cluster: string) => MatrixCell | undefined;
  lastScan: ScanResult | null | undefined;
  scanning: boolean;
  progress: ScanProgressState | null;
  scanNow: () => Promise<void>;
  refresh: () => Promise<void>;
  loading: boolean;
  error: string | null;
  /** Bumps whenever cells change, so the grid redraws visible tiles. */
  version: number;
}

const cellId = (app: string, cluster: string) => `${app}\u0000${cluster}`;

export function useMatrixData(): MatrixData {
  const apps = useQuery('vault.apps', {});
  const clusters = useQuery('kube.clusters', {});
  const lastScan = useQuery('kube.lastScan', {});
  const scan = useAction('kube.scan');
  const [cells, setCells] = useState<Map<string, MatrixCell>>(new Map());
  const [version, setVersion] = useState(0);
  const [progress, setProgress] = useState<ScanProgressState | null>(null);
  const pending = useRef<MatrixCell[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!lastScan.data) return;
    setCells(new Map(lastScan.data.cells.map((c) => [cellId(c.app, c.cluster), c])));
    setVersion((v) => v + 1);
  }, [lastScan.data]);

  const flush = useCallback(() => {
    flushTimer.current = null;
    const batch = pending.current;
    pending.current = [];
    setCells((prev) => {
      const next = new Map(prev);
      for (const c of batch) next.set(cellId(c.app, c.cluster), c);
      return next;
    });
    setVersion((v) => v + 1);
  }, []);

  useEvent('scan.progress', (event) => {
    pending.current.push(...event.cells);
    setProgress({ done: event.done, total: event.total });
    flushTimer.current ??= setTimeout(flush, 250);
  });

  useEffect(() => () => {
    if (flushTimer.current) clearTimeout(flushTimer.current);
  }, []);

  const scanNow = useCallback(async () => {
    setProgress({ done: 0, total: clusters.data?.length ?? 0 });
    await scan.run({});
    if (flushTimer.current) {
      clearTimeout(flushTimer.current);
      flush();
    }
    setProgress(null);
    await lastScan.refresh();
  }, [scan, clusters.data, flush, lastScan]);

  const snapshot = useMemo<MatrixSnapshot | null>(() => {
    if (!apps.data || !clusters.data) return null;
    return {
      apps: apps.data.map((a) => ({ id: a.name, name: a.name, namespace: a.namespace, owners: a.owners })),
      clusters: clusters.data.map((c) => ({ name: c.name, labels: c.labels })),
      cells: [...cells.values()].map((c) => ({ appId: c.app, cluster: c.cluster, state: c.state })),
    };
  }, [apps.data, clusters.data, cells]);

  const refresh = useCallback(async () => {
    await Promise.all([apps.refresh(), clusters.refresh(), lastScan.refresh()]);
  }, [apps, clusters, lastScan]);

  const error = apps.error?.message ?? clusters.error?.message ?? lastScan.error?.message ?? null;
  return {
    snapshot,
    cellAt: (app, cluster) => cells.get(cellId(app, cluster)),
    lastScan: lastScan.data,
    scanning: scan.running,
    progress,
    scanNow,
    refresh,
    loading: apps.loading || clusters.loading,
    error,
    version,
  };
}
