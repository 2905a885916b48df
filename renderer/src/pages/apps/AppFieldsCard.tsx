// An app's own fields: namespace, description and owners.
import { Button, Card, Group, Stack, TagsInput, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { AppView } from '../../../../shared/contract/index.ts';
import { dnsLabelRule } from '../../../../shared/domain/names.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';

export interface AppFieldsCardProps {
  app: AppView;
  /** Called with the saved app. */
  onSaved: (app: AppView) => void;
}

export function AppFieldsCard({ app, onSaved }: AppFieldsCardProps) {
  const [namespace, setNamespace] = useState(app.namespace);
  const [description, setDescription] = useState(app.description);
  const [owners, setOwners] = useState(app.owners);
  const update = useAction('vault.updateApp', { notifyErrors: false });
  const nsError = dnsLabelRule(namespace);
  const dirty = namespace !== app.namespace || description !== app.description || owners.join('\n') !== app.owners.join('\n');
  return (
    <Card withBorder component="section" aria-labelledby="app-fields-title">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (nsError) return;
          const saved = await update.run({ app: app.name, patch: { namespace, description, owners } });
          if (saved) {
            notifications.show({ color: 'green', title: 'Saved', message: `App "${saved.name}" saved.` });
            onSaved(saved);
          }
        }}
      >
        <Stack>
          <Title order={4} id="app-fields-title">
            About this app
          </Title>
          {update.error && <ErrorAlert error={update.error} title="Not saved" />}
          <TextInput
            label="Namespace"
            description="Where its Secrets are created on every cluster"
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            error={nsError ? `Namespace ${nsError}` : undefined}
            w={360}
          />
          <Textarea label="Description" autosize minRows={2} maxRows={6} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <TagsInput label="Owners" description="People or teams to ask about this app. Press Enter after each." value={owners} onChange={setOwners} />
          <Group>
            <Button type="submit" disabled={!dirty || nsError !== null} loading={update.running}>
              Save details
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
