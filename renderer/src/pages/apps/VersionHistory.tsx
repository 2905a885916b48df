// Version history of one secret: who wrote each version, when, how, and which keys it added or
// removed. Never values.
import { Group, Loader, Table, Text } from '@mantine/core';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useQuery } from '../../hooks/use-query.ts';
import { KeyName } from '../../components/KeyName.tsx';

const SOURCE: Record<string, string> = { literal: 'typed', 'env-file': '.env import', manifest: 'manifest import', env: '.env import' };

export interface VersionHistoryProps {
  /** The app's name. */
  app: string;
  /** The secret's name. */
  secret: string;
}

function KeyBadges({ names, color }: { names: string[]; color: string }) {
  if (names.length === 0)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Group gap={4}>
      {names.map((n) => (
        <KeyName key={n} name={n} color={color} />
      ))}
    </Group>
  );
}

/** Remount it (key) when a version is written, so the list reloads. */
export function VersionHistory({ app, secret }: VersionHistoryProps) {
  const { data, error, loading } = useQuery('vault.versions', { app, secret });
  if (error) return <ErrorAlert error={error} />;
  if (loading && !data) return <Loader size="sm" aria-label="Loading version history" />;
  if (!data || data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No versions yet: write the first one with "Write new version".
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={`Version history of ${secret}`} verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Written</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th>How</Table.Th>
            <Table.Th>Keys added</Table.Th>
            <Table.Th>Keys removed</Table.Th>
            <Table.Th>Recipients</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.map((v) => (
            <Table.Tr key={v.id}>
              <Table.Td>v{v.number}</Table.Td>
              <Table.Td>
                <time dateTime={v.createdAt}>{new Date(v.createdAt).toLocaleString()}</time>
              </Table.Td>
              <Table.Td>{v.createdBy}</Table.Td>
              <Table.Td>{SOURCE[v.source] ?? v.source}</Table.Td>
              <Table.Td>
                <KeyBadges names={v.added} color="green" />
              </Table.Td>
              <Table.Td>
                <KeyBadges names={v.removed} color="red" />
              </Table.Td>
              <Table.Td>{v.recipients.length}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
