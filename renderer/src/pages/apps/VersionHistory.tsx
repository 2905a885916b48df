// Version history of one secret: who wrote each version, when, how, and which keys it added or
// removed. Never values.
import { Group, Text } from '@mantine/core';
import type { VersionView } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { QueryState } from '../../components/QueryState/index.ts';
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

const COLUMNS: DataColumn<VersionView>[] = [
  { header: 'Version', cell: (v) => `v${v.number}` },
  { header: 'Written', cell: (v) => <time dateTime={v.createdAt}>{new Date(v.createdAt).toLocaleString()}</time> },
  { header: 'By', cell: (v) => v.createdBy },
  { header: 'How', cell: (v) => SOURCE[v.source] ?? v.source },
  { header: 'Keys added', cell: (v) => <KeyBadges names={v.added} color="green" /> },
  { header: 'Keys removed', cell: (v) => <KeyBadges names={v.removed} color="red" /> },
  { header: 'Recipients', cell: (v) => v.recipients.length },
];

/** Remount it (key) when a version is written, so the list reloads. */
export function VersionHistory({ app, secret }: VersionHistoryProps) {
  const versions = useQuery('vault.versions', { app, secret });
  return (
    <QueryState
      query={versions}
      loadingLabel="Loading version history"
      loaderSize="sm"
      empty={
        <Text size="sm" c="dimmed">
          No versions yet: write the first one with "Write new version".
        </Text>
      }
    >
      {(data) => (
        <DataTable
          label={`Version history of ${secret}`}
          columns={COLUMNS}
          rows={data}
          rowKey={(v) => v.id}
          minWidth={640}
          tableProps={{ verticalSpacing: 4 }}
        />
      )}
    </QueryState>
  );
}
