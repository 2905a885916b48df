// Apps: every app with its namespace, owners, secrets and targeting, a search, and creation.
// Choosing an app opens its editor in place.
import { Anchor, Badge, Button, Group, Loader, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconApps, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { navigate, useRoute } from '../../app/routes.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
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
      {apps.error && <ErrorAlert error={apps.error} title="Apps could not be listed" />}
      {apps.loading && !apps.data && <Loader aria-label="Loading apps" />}
      {apps.data && apps.data.length === 0 && (
        <EmptyState icon={<IconApps />} title="No apps yet">
          Create an app: give it a name and the namespace its Secrets go to, then define its secrets and write their values. Values are encrypted for the
          recipients on Keys &amp; tokens.
        </EmptyState>
      )}
      {apps.data && apps.data.length > 0 && (
        <>
          <TextInput
            label="Search apps"
            placeholder="Name, namespace, owner, selector…"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={360}
          />
          <Table highlightOnHover aria-label="Apps">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>App</Table.Th>
                <Table.Th>Namespace</Table.Th>
                <Table.Th>Owners</Table.Th>
                <Table.Th>Secrets</Table.Th>
                <Table.Th>Targeting</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Anchor component="button" type="button" fw={600} onClick={() => setOpen(a.name)} aria-label={`Open app ${a.name}`}>
                      {a.name}
                    </Anchor>
                    {a.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {a.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{a.namespace}</Table.Td>
                  <Table.Td>
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
                  </Table.Td>
                  <Table.Td>{a.secretCount}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{targetingSummary(a.targeting)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.length === 0 && <Text c="dimmed">No app matches "{search}".</Text>}
        </>
      )}
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
