// Apps: every app with its namespace, owners, secrets and targeting, a search, and creation.
// Choosing an app opens its editor in place.
import { Anchor, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconApps, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { navigate, useRoute } from '../../app/routes.ts';
import type { AppSummary } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { QueryState } from '../../components/QueryState/index.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useQuery } from '../../hooks/use-query.ts';
import { AppEditor } from './AppEditor.tsx';
import { CreateAppModal } from './CreateAppModal.tsx';
import { targetingSummary } from './targeting.ts';

export function AppsPage() {
  const apps = useQuery('vault.apps', {});
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  // #/apps/<name> opens that app's editor (the command palette links there).
  const { param } = useRoute();
  const [chosen, setOpen] = useState<string | null>(null);
  const open = chosen ?? param;

  if (open) {
    return (
      <AppEditor
        name={open}
        onBack={() => {
          setOpen(null);
          if (param) navigate('apps');
          void apps.refresh();
        }}
      />
    );
  }

  const columns: DataColumn<AppSummary>[] = [
    {
      header: 'App',
      cell: (a) => (
        <>
          <Anchor component="button" type="button" fw={600} onClick={() => setOpen(a.name)} aria-label={`Open app ${a.name}`}>
            {a.name}
          </Anchor>
          {a.description && (
            <Text size="xs" c="dimmed" lineClamp={1}>
              {a.description}
            </Text>
          )}
        </>
      ),
    },
    { header: 'Namespace', cell: (a) => a.namespace },
    {
      header: 'Owners',
      cell: (a) => (
        <Group gap={4}>
          {a.owners.length === 0 ? (
            <Text size="sm" c="dimmed">
              —
            </Text>
          ) : (
            a.owners.map((o) => (
              <Badge key={o} variant="light" color="gray" tt="none">
                {o}
              </Badge>
            ))
          )}
        </Group>
      ),
    },
    { header: 'Secrets', cell: (a) => a.secretCount },
    { header: 'Targeting', cell: (a) => <Text size="sm">{targetingSummary(a.targeting)}</Text> },
  ];

  const q = search.trim().toLowerCase();
  const list = (apps.data ?? []).filter(
    (a) => q === '' || [a.name, a.namespace, a.description, ...a.owners, a.targeting.selector].some((f) => f.toLowerCase().includes(q)),
  );

  return (
    <Stack>
      <PageHeader
        title="Apps"
        description="Applications, their secrets and where they are published."
        actions={
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            Create app
          </Button>
        }
      />
      <QueryState
        query={apps}
        loadingLabel="Loading apps"
        errorTitle="Apps could not be listed"
        empty={
          <EmptyState icon={<IconApps />} title="No apps yet">
            Create an app: give it a name and the namespace its Secrets go to, then define its secrets and write their values. Values are encrypted for the
            recipients on Keys &amp; tokens.
          </EmptyState>
        }
      >
        {() => (
          <>
            <TextInput
              label="Search apps"
              placeholder="Name, namespace, owner, selector…"
              leftSection={<IconSearch size={16} aria-hidden />}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              w={360}
            />
            <DataTable
              label="Apps"
              columns={columns}
              rows={list}
              rowKey={(a) => a.id}
              tableProps={{ highlightOnHover: true }}
              empty={<Text c="dimmed">No app matches "{search}".</Text>}
            />
          </>
        )}
      </QueryState>
      {creating && (
        <CreateAppModal
          onClose={(created) => {
            setCreating(false);
            if (created) setOpen(created.name);
            else void apps.refresh();
          }}
        />
      )}
    </Stack>
  );
}
