// A test harness (not part of the app): the matrix grid alone with a generated snapshot of
// ?apps=200&clusters=1000, for component-level performance checks in Chromium.
import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { CELL_STATES } from '../../shared/domain/cell-state.ts';
import { MatrixGrid, cellKey, type SelectionChange } from '../src/components/MatrixGrid/index.ts';
import { buildMatrixModel, type MatrixSnapshot } from '../src/pages/matrix/matrix-model.ts';

const params = new URLSearchParams(location.search);
const appCount = Number(params.get('apps') ?? 200);
const clusterCount = Number(params.get('clusters') ?? 1000);

function snapshot(): MatrixSnapshot {
  const apps = Array.from({ length: appCount }, (_, i) => ({
    id: `app-${i}`,
    name: `app-${String(i).padStart(3, '0')}`,
    namespace: `ns-${i % 12}`,
    owners: [`team-${i % 5}`],
  }));
  const clusters = Array.from({ length: clusterCount }, (_, i) => ({
    name: `c-${String(i).padStart(4, '0')}`,
    labels: { env: ['prod', 'staging', 'dev'][i % 3]!, region: `r${i % 7}` },
  }));
  const cells = [];
  let seed = 7;
  for (const app of apps)
    for (const cluster of clusters) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      cells.push({ appId: app.id, cluster: cluster.name, state: CELL_STATES[seed % CELL_STATES.length]! });
    }
  return { apps, clusters, cells };
}

function Harness() {
  const data = useMemo(() => snapshot(), []);
  const model = useMemo(
    () => buildMatrixModel(data, { rowGroupBy: 'namespace', columnGroupBy: 'env', appSearch: '', clusterSelector: () => true, stateFilter: 'all' }),
    [data],
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const onSelect = (change: SelectionChange) =>
    setSelected((prev) => {
      const next = change.kind === 'replace' ? new Set<string>() : new Set(prev);
      for (const k of change.keys)
        if (change.kind === 'toggle' && next.has(k)) next.delete(k);
        else next.add(k);
      return next;
    });
  return (
    <div style={{ height: '100vh', padding: 8, boxSizing: 'border-box' }}>
      <MatrixGrid
        rows={model.rows}
        columns={model.columns}
        stateAt={model.stateAt}
        selected={selected}
        onSelect={onSelect}
        onOpen={() => undefined}
        columnGroupLabel="env"
      />
      <span hidden data-testid="key-sample">
        {cellKey('a', 'b')}
      </span>
    </div>
  );
}

(window as unknown as { __harnessStart: number }).__harnessStart = performance.now();
createRoot(document.getElementById('root')!).render(
  <MantineProvider>
    <Harness />
  </MantineProvider>,
);
