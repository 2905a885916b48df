// The matrix (home page): apps down, clusters across, one tile per (app, cluster) with its
// state in colour, glyph and words. Filters, grouping, a legend with counts, "Scan now" with
// progress, selection of tiles, rows, columns and label groups, and details in a drawer.
import { Alert, Anchor, Button, Group, Progress, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconLayoutGrid, IconRadar, IconSearch, IconX } from '@tabler/icons-react';
import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import { CELL_STATE_LABEL } from '../../../../shared/domain/cell-state.ts';
import { matches, parseSelector } from '../../../../shared/domain/labels.ts';
import { navigate } from '../../app/routes.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { Legend, MatrixGrid, type MatrixGridHandle, type SelectionChange } from '../../components/MatrixGrid/index.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { CellDrawer } from './CellDrawer.tsx';
import { buildMatrixModel, type StateFilter } from './matrix-model.ts';
import { useMatrixData } from './use-matrix-data.ts';

export interface MatrixSelection {
  /** Selected tiles as [app, cluster] pairs. */
  cells: [string, string][];
}

export interface MatrixPageProps {
  /** Renders the actions (rollout planning) for the selection toolbar or one tile's drawer. */
  renderActions?: (selection: MatrixSelection, where: 'toolbar' | 'drawer', done: () => void) => ReactNode;
}

function applyChange(prev: ReadonlySet<string>, change: SelectionChange): Set<string> {
  const next = change.kind === 'replace' ? new Set<string>() : new Set(prev);
  if (change.kind === 'toggle') {
    for (const k of change.keys)
      if (next.has(k)) next.delete(k);
      else next.add(k);
  } else for (const k of change.keys) next.add(k);
  return next;
}

export function MatrixPage({ renderActions }: MatrixPageProps) {
  const data = useMatrixData();
  const [appSearch, setAppSearch] = useState('');
  const [selectorText, setSelectorText] = useState('');
  const [stateFilter, setStateFilter] = useState<StateFilter>('all');
  const [rowGroupBy, setRowGroupBy] = useState<'namespace' | 'owner'>('namespace');
  const [columnGroupBy, setColumnGroupBy] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState<{ app: string; cluster: string } | null>(null);
  const grid = useRef<MatrixGridHandle>(null);
  // The drawer unmounts on close, so it cannot hand the focus back itself: the grid takes it.
  const closeDrawer = useCallback(() => {
    setOpen(null);
    requestAnimationFrame(() => grid.current?.focusActive());
  }, []);

  const parsedSelector = useMemo(() => parseSelector(selectorText), [selectorText]);
  const labelKeys = useMemo(() => [...new Set((data.snapshot?.clusters ?? []).flatMap((c) => Object.keys(c.labels)))].sort(), [data.snapshot]);
  const groupBy = columnGroupBy ?? (labelKeys.includes('env') ? 'env' : (labelKeys[0] ?? null));

  const model = useMemo(() => {
    if (!data.snapshot) return null;
    const selector = parsedSelector.selector;
    return buildMatrixModel(data.snapshot, {
      rowGroupBy,
      columnGroupBy: groupBy,
      appSearch,
      clusterSelector: selector ? (labels) => matches(selector, labels) : () => true,
      stateFilter,
    });
  }, [data.snapshot, parsedSelector, rowGroupBy, groupBy, appSearch, stateFilter]);

  const seenAt = data.seenAt;
  const latest = data.latestScanAt;
  const columnNote = useCallback(
    (cluster: string) => {
      const seen = seenAt.get(cluster);
      if (latest === null || seen === undefined || seen >= latest) return null;
      return `stale: read ${new Date(seen).toLocaleString()}, before the last scan`;
    },
    [seenAt, latest],
  );
  const describeCell = useCallback(
    (row: number, col: number) => {
      if (!model) return '';
      const app = model.rows[row];
      const cluster = model.columns[col];
      if (!app || !cluster) return '';
      const state = CELL_STATE_LABEL[model.stateAt(row, col)];
      const seen = seenAt.get(cluster.id);
      const stale = seen !== undefined && latest !== null && seen < latest;
      const since = seen === undefined ? 'not scanned yet' : `${stale ? 'stale, ' : ''}as of ${new Date(seen).toLocaleString()}`;
      return `${app.label} on ${cluster.label} · ${state} · ${since}`;
    },
    [model, seenAt, latest],
  );

  const selection: MatrixSelection = useMemo(() => ({ cells: [...selected].map((k) => k.split('\u0000') as [string, string]) }), [selected]);
  const clearSelection = () => setSelected(new Set());

  const header = (
    <PageHeader
      title="Matrix"
      description="Apps down, clusters across: what is provisioned where, and what has drifted."
      actions={
        <Group>
          {data.lastScan && (
            <Text size="sm" c="dimmed" data-testid="last-scan">
              Last scan {new Date(data.lastScan.finishedAt ?? data.lastScan.startedAt).toLocaleString()}
            </Text>
          )}
          {/* Says what it is doing, rather than turning into a bare spinner. */}
          <Button
            leftSection={<IconRadar size={16} aria-hidden />}
            onClick={() => void data.scanNow()}
            disabled={data.scanning || !data.snapshot || data.snapshot.clusters.length === 0}
            data-testid="scan-button"
          >
            {data.scanning ? `Scanning ${data.progress?.done ?? 0} of ${data.progress?.total ?? 0}…` : 'Scan now'}
          </Button>
        </Group>
      }
    />
  );

  if (data.error) {
    return (
      <Stack>
        {header}
        <Alert color="red" title="The matrix could not be loaded">
          {data.error}
        </Alert>
      </Stack>
    );
  }
  if (!data.snapshot || !model) return <Stack>{header}</Stack>;
  if (data.snapshot.clusters.length === 0 || data.snapshot.apps.length === 0) {
    return (
      <Stack>
        {header}
        <EmptyState icon={<IconLayoutGrid />} title={data.snapshot.apps.length === 0 ? 'No apps yet' : 'No clusters yet'}>
          {data.snapshot.apps.length === 0 ? (
            <>
              Each tile shows one app on one cluster.{' '}
              <Anchor component="button" onClick={() => navigate('apps')}>
                Create an app
              </Anchor>{' '}
              with a secret to begin.
            </>
          ) : (
            <>
              Tessera found no kubeconfig contexts.{' '}
              <Anchor component="button" onClick={() => navigate('settings')}>
                Add a kubeconfig file in Settings
              </Anchor>
              .
            </>
          )}
        </EmptyState>
      </Stack>
    );
  }

  const answered = data.progress?.answered;
  const waitingOn = answered ? data.snapshot.clusters.map((c) => c.name).filter((c) => !answered.has(c)) : [];
  const openApp = open?.app;
  const openCluster = open?.cluster;
  return (
    <Stack h="calc(100vh - 88px)" gap="sm">
      {header}
      {data.progress && (
        <Progress.Root size="lg" aria-label="Scan progress">
          <Progress.Section value={data.progress.total === 0 ? 0 : (100 * data.progress.done) / data.progress.total}>
            <Progress.Label>
              Scanning {data.progress.done} of {data.progress.total} clusters
            </Progress.Label>
          </Progress.Section>
        </Progress.Root>
      )}
      {data.progress && waitingOn.length > 0 && data.progress.total - data.progress.done <= 5 && (
        <Text size="sm" data-testid="scan-waiting">
          Waiting on {waitingOn.join(', ')}: its tiles keep their last state until it answers or the scan gives up on it.
        </Text>
      )}
      {!data.lastScan && !data.scanning && (
        <Alert color="blue" title="Not scanned yet">
          Tiles show what is targeted until the first scan. Press “Scan now” to read what is live on every cluster (metadata only: no secret value crosses the
          wire).
        </Alert>
      )}
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label="Search apps"
          placeholder="Name or namespace"
          leftSection={<IconSearch size={14} aria-hidden />}
          value={appSearch}
          onChange={(e) => setAppSearch(e.currentTarget.value)}
          w={220}
        />
        <TextInput
          label="Cluster selector"
          placeholder="env=prod,region in (eu,us)"
          value={selectorText}
          onChange={(e) => setSelectorText(e.currentTarget.value)}
          error={parsedSelector.error}
          w={240}
        />
        <Stack gap={2}>
          <Text size="sm" fw={500} id="state-filter-label">
            Show
          </Text>
          <SegmentedControl
            aria-labelledby="state-filter-label"
            value={stateFilter}
            onChange={(v) => setStateFilter(v as StateFilter)}
            data={[
              { value: 'all', label: 'Everything' },
              { value: 'drift', label: 'Only drift' },
              { value: 'problems', label: 'Only problems' },
            ]}
          />
        </Stack>
        <Select
          label="Group apps by"
          value={rowGroupBy}
          onChange={(v) => v && setRowGroupBy(v as 'namespace' | 'owner')}
          data={[
            { value: 'namespace', label: 'Namespace' },
            { value: 'owner', label: 'Owner' },
          ]}
          allowDeselect={false}
          w={140}
        />
        <Select
          label="Group clusters by"
          value={groupBy ?? ''}
          onChange={(v) => setColumnGroupBy(v === '' ? null : v)}
          data={[{ value: '', label: 'No grouping' }, ...labelKeys.map((k) => ({ value: k, label: k }))]}
          allowDeselect={false}
          w={160}
        />
      </Group>
      <Legend counts={model.counts} />
      {selected.size > 0 && (
        <Group gap="sm" data-testid="selection-bar">
          <Text size="sm" fw={600}>
            {selected.size.toLocaleString()} tile{selected.size === 1 ? '' : 's'} selected
          </Text>
          {renderActions?.(selection, 'toolbar', clearSelection)}
          <Button size="xs" variant="subtle" leftSection={<IconX size={14} aria-hidden />} onClick={clearSelection}>
            Clear selection
          </Button>
        </Group>
      )}
      {model.rows.length === 0 || model.columns.length === 0 ? (
        <Text c="dimmed">No tiles match these filters.</Text>
      ) : (
        <div style={{ flex: 1, minHeight: 0 }}>
          <MatrixGrid
            rows={model.rows}
            columns={model.columns}
            stateAt={model.stateAt}
            selected={selected}
            onSelect={(change) => setSelected((prev) => applyChange(prev, change))}
            onOpen={(r, c) => setOpen({ app: model.rows[r]!.id, cluster: model.columns[c]!.id })}
            columnGroupLabel={groupBy ?? undefined}
            version={data.version}
            describeCell={describeCell}
            columnNote={columnNote}
            ref={grid}
          />
        </div>
      )}
      {openApp !== undefined && openCluster !== undefined && (
        <CellDrawer
          app={openApp}
          cluster={openCluster}
          onClose={closeDrawer}
          actions={renderActions?.({ cells: [[openApp, openCluster]] }, 'drawer', closeDrawer)}
        />
      )}
    </Stack>
  );
}
