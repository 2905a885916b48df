// Clusters: the kubeconfig contexts Tessera can reach, with where each one came from.
import { Alert, Badge, Button, Code, Group, Loader, Stack, Table, Text } from '@mantine/core';
import { IconRefresh, IconServer2 } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useQuery } from '../../hooks/use-query.ts';

export function ClustersPage() {
  const { data, error, loading, refresh } = useQuery('kube.contexts', {});
  return (
    <Stack>
      <PageHeader
        title="Clusters"
        description="Every kubeconfig context is a cluster Tessera can provision to. Files are merged like kubectl does."
        actions={
          <Button leftSection={<IconRefresh size={16} aria-hidden />} variant="default" onClick={() => void refresh()} loading={loading}>
            Reload
          </Button>
        }
      />
      {error && <ErrorAlert error={error} title="Could not read kubeconfig" />}
      {data?.problems.map((p) => (
        <Alert key={p.file} color="yellow" title="A kubeconfig file was skipped">
          {p.message}
        </Alert>
      ))}
      {loading && !data && <Loader aria-label="Loading contexts" />}
      {data && data.contexts.length === 0 && (
        <EmptyState icon={<IconServer2 />} title="No kubeconfig contexts">
          No contexts found in {data.files.join(', ')}. Add a kubeconfig file in Settings, or set KUBECONFIG before starting Tessera.
        </EmptyState>
      )}
      {data && data.contexts.length > 0 && (
        <Table striped highlightOnHover aria-label="Kubeconfig contexts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Context</Table.Th>
              <Table.Th>Server</Table.Th>
              <Table.Th>User</Table.Th>
              <Table.Th>Namespace</Table.Th>
              <Table.Th>Source</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.contexts.map((c) => (
              <Table.Tr key={c.name}>
                <Table.Td>
                  <Group gap="xs">
                    <Text fw={500}>{c.name}</Text>
                    {c.current && <Badge size="xs" variant="light">current</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Code>{c.server ?? '—'}</Code>
                </Table.Td>
                <Table.Td>{c.user || '—'}</Table.Td>
                <Table.Td>{c.namespace ?? 'default'}</Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {c.source}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
