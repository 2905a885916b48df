// An overview of the contexts: one row each, with where it points and whether it answered.
import { Badge, Code, Group, Text } from '@mantine/core';
import type { KubeClusterView, ProbeResult } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';

export interface ContextsTableProps {
  clusters: KubeClusterView[];
  probes: Map<string, ProbeResult>;
}

export function ContextsTable({ clusters, probes }: ContextsTableProps) {
  const columns: DataColumn<KubeClusterView>[] = [
    {
      header: 'Context',
      cell: (c) => (
        <Group gap="xs">
          <Text fw={500}>{c.name}</Text>
          {c.current && (
            <Badge size="xs" variant="light">
              current
            </Badge>
          )}
        </Group>
      ),
    },
    { header: 'Server', cell: (c) => <Code>{c.server ?? '—'}</Code> },
    { header: 'User', cell: (c) => c.user || '—' },
    { header: 'Namespace', cell: (c) => c.namespace ?? 'default' },
    {
      header: 'Reachable',
      cell: (c) => {
        const p = probes.get(c.name);
        return !p ? '…' : p.reachable ? `yes, ${p.serverVersion ?? 'unknown version'}` : 'no';
      },
    },
    {
      header: 'Labels',
      cell: (c) => (
        <Text size="xs">
          {Object.entries(c.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '—'}
        </Text>
      ),
    },
    {
      header: 'Source',
      cell: (c) => (
        <Text size="xs" c="dimmed">
          {c.source}
        </Text>
      ),
    },
  ];
  return (
    <DataTable
      label="Kubeconfig contexts"
      columns={columns}
      rows={clusters}
      rowKey={(c) => c.name}
      minWidth={800}
      tableProps={{ striped: true, highlightOnHover: true }}
    />
  );
}
