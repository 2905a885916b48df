// An overview of the contexts: one row each, with where it points and whether it answered.
import { Badge, Code, Group, Table, Text } from '@mantine/core';
import type { KubeClusterView, ProbeResult } from '../../../../shared/contract/index.ts';

export interface ContextsTableProps {
  clusters: KubeClusterView[];
  probes: Map<string, ProbeResult>;
}

export function ContextsTable({ clusters, probes }: ContextsTableProps) {
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped highlightOnHover aria-label="Kubeconfig contexts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Context</Table.Th>
            <Table.Th>Server</Table.Th>
            <Table.Th>User</Table.Th>
            <Table.Th>Namespace</Table.Th>
            <Table.Th>Reachable</Table.Th>
            <Table.Th>Labels</Table.Th>
            <Table.Th>Source</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {clusters.map((c) => {
            const p = probes.get(c.name);
            return (
              <Table.Tr key={c.name}>
                <Table.Td>
                  <Group gap="xs">
                    <Text fw={500}>{c.name}</Text>
                    {c.current && (
                      <Badge size="xs" variant="light">
                        current
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Code>{c.server ?? '—'}</Code>
                </Table.Td>
                <Table.Td>{c.user || '—'}</Table.Td>
                <Table.Td>{c.namespace ?? 'default'}</Table.Td>
                <Table.Td>{!p ? '…' : p.reachable ? `yes, ${p.serverVersion ?? 'unknown version'}` : 'no'}</Table.Td>
                <Table.Td>
                  <Text size="xs">
                    {Object.entries(c.labels)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ') || '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {c.source}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
