// A rollout as it runs and after: a progress bar, each cluster's state from rollout.progress
// events, cancel while running, and "retry failed" afterwards.
import { Badge, Button, Group, Progress, Stack, Text, type TableTrProps } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { RolloutProgressEvent, RolloutView, StepState } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { STEP_COLOR } from './action-look.ts';

export interface RolloutProgressProps {
  /** The finished (or resumed) rollout, once known. */
  rollout: RolloutView | null;
  /** The plan being executed, to pick its progress events while the rollout id is unknown. */
  planHash: string;
  running: boolean;
  actingAs: string | null;
  onChange: (rollout: RolloutView) => void;
}

interface ClusterLine {
  cluster: string;
  state: StepState;
  error: string | null;
}

const PROGRESS_COLUMNS: DataColumn<ClusterLine>[] = [
  { header: 'Cluster', cell: (l) => l.cluster },
  {
    header: 'State',
    cell: (l) => (
      <Badge color={STEP_COLOR[l.state]} variant="light">
        {l.state}
      </Badge>
    ),
  },
  { header: 'Error', cell: (l) => <Text size="sm">{l.error ?? ''}</Text> },
];

export function RolloutProgress({ rollout, running, actingAs, onChange }: RolloutProgressProps) {
  const [live, setLive] = useState<Map<string, ClusterLine>>(new Map());
  const [totals, setTotals] = useState<{ done: number; failed: number; total: number } | null>(null);
  const [rolloutId, setRolloutId] = useState<string | null>(null);
  const cancel = useAction('rollout.cancel');
  const retry = useAction('rollout.retry');

  useEvent('rollout.progress', (e: RolloutProgressEvent) => {
    if (rollout && e.rolloutId !== rollout.id) return;
    setRolloutId(e.rolloutId);
    setTotals({ done: e.done, failed: e.failed, total: e.total });
    setLive((prev) => new Map(prev).set(e.cluster, { cluster: e.cluster, state: e.state, error: e.error?.message ?? null }));
  });

  const lines = useMemo(() => {
    if (rollout && !running) return rollout.clusters.map((c) => ({ cluster: c.cluster, state: c.state, error: c.error?.message ?? null }));
    return [...live.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
  }, [rollout, running, live]);

  const t = rollout && !running ? { done: rollout.done, failed: rollout.failed, total: rollout.total } : totals;
  const id = rollout?.id ?? rolloutId;
  return (
    <Stack data-testid="rollout-progress">
      <Group justify="space-between">
        <Text fw={600}>{rollout && !running ? `Rollout ${rollout.status}` : 'Rolling out…'}</Text>
        <Group>
          {running && id && (
            <Button size="xs" color="red" variant="light" loading={cancel.running} onClick={() => void cancel.run({ rolloutId: id })}>
              Cancel
            </Button>
          )}
          {!running && rollout && rollout.failed > 0 && (
            <Button
              size="xs"
              loading={retry.running}
              onClick={async () => {
                const next = await retry.run({ rolloutId: rollout.id, ...(actingAs ? { as: actingAs } : {}) });
                if (next) onChange(next);
              }}
            >
              Retry failed
            </Button>
          )}
        </Group>
      </Group>
      {t && (
        <Progress.Root size="xl" aria-label="Rollout progress">
          <Progress.Section value={t.total === 0 ? 100 : (100 * (t.done - t.failed)) / t.total} color="green">
            <Progress.Label>{t.done - t.failed} done</Progress.Label>
          </Progress.Section>
          <Progress.Section value={t.total === 0 ? 0 : (100 * t.failed) / t.total} color="red">
            <Progress.Label>{t.failed > 0 ? `${t.failed} failed` : ''}</Progress.Label>
          </Progress.Section>
        </Progress.Root>
      )}
      {rollout && !running && (
        <Text size="sm" c="dimmed">
          {rollout.unwraps} token unwrap{rollout.unwraps === 1 ? '' : 's'} for {rollout.total} step{rollout.total === 1 ? '' : 's'}.
        </Text>
      )}
      {lines.length > 0 && (
        <DataTable
          label="Progress per cluster"
          columns={PROGRESS_COLUMNS}
          rows={lines.slice(0, 1000)}
          rowKey={(l) => l.cluster}
          rowProps={(l) => ({ 'data-testid': `progress-${l.cluster}` }) as TableTrProps}
        />
      )}
    </Stack>
  );
}
