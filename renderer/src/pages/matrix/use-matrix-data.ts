// The matrix's data: apps from the vault, clusters from kubeconfig, and the last scan as a
// compact matrix of state codes, updated live while a scan streams scan.progress. Progress is
// folded in at most four times a second so a 1,000-cluster scan does not rebuild the model a
// thousand times. A cell's details (Secrets, drift, reasons) are fetched when it is opened.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CompactMatrix } from '../../../../shared/contract/index.ts';
import type { CellState } from '../../../../shared/domain/cell-state.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import type { MatrixSnapshot } from './matrix-model.ts';

export interface ScanProgressState {
  done: number;
  total: number;
  /** Clusters that answered so far in this scan. */
  answered: ReadonlySet<string>;
}

/** `next` plus the clusters only `prev` had (a scan of some clusters), kept with the time they were read. */
export function mergeCompact(prev: CompactMatrix | null | undefined, next: CompactMatrix): CompactMatrix {
  if (!prev) return next;
  const inNext = new Set(next.clusters);
  const kept = prev.clusters.filter((c) => !inNext.has(c));
  if (kept.length === 0) return next;
  const prevCol = new Map(prev.clusters.map((c, i) => [c, i]));
  const prevRow = new Map(prev.apps.map((a, i) => [a, prev.rows[i] ?? '']));
  const nextRow = new Map(next.apps.map((a, i) => [a, next.rows[i] ?? '']));
  const apps = [...new Set([...next.apps, ...prev.apps])].sort();
  const none = String.fromCharCode(97); // not-targeted
  const prevAt = prev.finishedAt ?? prev.startedAt;
  const times: Record<string, string> = { ...next.clusterScannedAt };
  for (const c of kept) times[c] = prev.clusterScannedAt?.[c] ?? prevAt;
  return {
    ...next,
    apps,
    clusters: [...next.clusters, ...kept],
    rows: apps.map((a) => {
      const own = nextRow.get(a) ?? none.repeat(next.clusters.length);
      const old = prevRow.get(a);
      return own + kept.map((c) => (old ? (old[prevCol.get(c)!] ?? none) : none)).join('');
    }),
    clusterScannedAt: times,
  };
}

export interface MatrixData {
  snapshot: MatrixSnapshot | null;
  lastScan: CompactMatrix | null | undefined;
  scanning: boolean;
  progress: ScanProgressState | null;
  scanNow: () => Promise<void>;
  refresh: () => Promise<void>;
  loading: boolean;
  error: string | null;
  /** Bumps whenever states change, so the grid redraws visible tiles. */
  version: number;
  /** When each cluster's tiles were last read from the cluster (ms since the epoch). */
  seenAt: ReadonlyMap<string, number>;
  /** When the newest scan started: clusters read before it are stale. */
  latestScanAt: number | null;
}

type Updates = Map<string, Map<string, CellState>>;

export function useMatrixData(): MatrixData {
  const apps = useQuery('vault.apps', {});
  const clusters = useQuery('kube.clusters', {});
  const matrix = useQuery('kube.matrix', {});
  const scan = useAction('kube.scanMatrix');
  const [current, setCurrent] = useState<CompactMatrix | null | undefined>(undefined);
  const [updates, setUpdates] = useState<Updates>(new Map());
  const [version, setVersion] = useState(0);
  const [progress, setProgress] = useState<ScanProgressState | null>(null);
  const [seenAt, setSeenAt] = useState<ReadonlyMap<string, number>>(new Map());
  const pending = useRef<{ cluster: string; cells: { app: string; state: CellState }[] }[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const noteSeen = useCallback((scan: CompactMatrix | null, clusters: string[] | null) => {
    setSeenAt((prev) => {
      const next = new Map(prev);
      if (scan) {
        const at = Date.parse(scan.finishedAt ?? scan.startedAt);
        for (const c of scan.clusters) {
          const when = scan.clusterScannedAt?.[c] ? Date.parse(scan.clusterScannedAt[c]) : at;
          if (!next.has(c) || next.get(c)! < when) next.set(c, when);
        }
      }
      for (const c of clusters ?? []) next.set(c, Date.now());
      return next;
    });
  }, []);

  useEffect(() => {
    if (matrix.data === undefined) return;
    noteSeen(matrix.data, null);
    setCurrent(matrix.data);
    setUpdates(new Map());
    setVersion((v) => v + 1);
  }, [matrix.data, noteSeen]);

  const flush = useCallback(() => {
    flushTimer.current = null;
    const batch = pending.current;
    pending.current = [];
    noteSeen(
      null,
      batch.map((b) => b.cluster),
    );
    setUpdates((prev) => {
      const next: Updates = new Map(prev);
      for (const { cluster, cells } of batch)
        for (const { app, state } of cells) {
          const row = new Map(next.get(app) ?? []);
          row.set(cluster, state);
          next.set(app, row);
        }
      return next;
    });
    setVersion((v) => v + 1);
  }, [noteSeen]);

  useEvent('scan.progress', (event) => {
    pending.current.push({ cluster: event.cluster, cells: event.cells });
    setProgress((p) => ({ done: event.done, total: event.total, answered: new Set([...(p?.answered ?? []), event.cluster]) }));
    flushTimer.current ??= setTimeout(flush, 250);
  });

  useEffect(
    () => () => {
      if (flushTimer.current) clearTimeout(flushTimer.current);
    },
    [],
  );

  const scanNow = useCallback(async () => {
    setProgress({ done: 0, total: clusters.data?.length ?? 0, answered: new Set() });
    const result = await scan.run({});
    if (flushTimer.current) clearTimeout(flushTimer.current);
    flushTimer.current = null;
    pending.current = [];
    setProgress(null);
    if (result) {
      noteSeen(result, null);
      setCurrent((prev) => mergeCompact(prev, result));
      setUpdates(new Map());
      setVersion((v) => v + 1);
    }
  }, [scan, clusters.data, noteSeen]);

  const snapshot = useMemo<MatrixSnapshot | null>(() => {
    if (!apps.data || !clusters.data) return null;
    const known = new Set(apps.data.map((a) => a.name));
    // Apps found live on a cluster but gone from the vault still get a row (their Secrets are orphaned).
    const strays = (current?.apps ?? []).filter((a) => !known.has(a)).map((name) => ({ id: name, name, namespace: '(not in the vault)', owners: [] }));
    return {
      apps: [...apps.data.map((a) => ({ id: a.name, name: a.name, namespace: a.namespace, owners: a.owners, targeting: a.targeting })), ...strays],
      clusters: clusters.data.map((c) => ({ name: c.name, labels: c.labels })),
      matrix: current ?? null,
      updates,
    };
  }, [apps.data, clusters.data, current, updates]);

  const refresh = useCallback(async () => {
    await Promise.all([apps.refresh(), clusters.refresh(), matrix.refresh()]);
  }, [apps, clusters, matrix]);

  const error = apps.error?.message ?? clusters.error?.message ?? matrix.error?.message ?? null;
  return {
    snapshot,
    lastScan: current,
    scanning: scan.running,
    progress,
    scanNow,
    refresh,
    loading: apps.loading || clusters.loading,
    error,
    version,
    seenAt,
    latestScanAt: current ? Date.parse(current.startedAt) : null,
  };
}
