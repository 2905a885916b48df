// One app: its details, targeting and publish state, and its secrets with versions.
import { Alert, Anchor, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { IconArrowLeft, IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { AppFieldsCard } from './AppFieldsCard.tsx';
import { navigate } from '../../app/routes.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';
import { ConfirmDelete } from './ConfirmDelete.tsx';
import { DefineSecretModal } from './DefineSecretModal.tsx';
import { SecretCard } from './SecretCard.tsx';
import { TargetingCard } from './TargetingCard.tsx';

export interface AppEditorProps {
  /** The app's name. */
  name: string;
  /** Back to the list (after a delete too). */
  onBack: () => void;
}

export function AppEditor({ name, onBack }: AppEditorProps) {
  const app = useQuery('vault.app', { app: name });
  const recipients = useQuery('vault.recipients', {});
  // Deleting an app is a rollout: its live Secrets are removed from every cluster first, so
  // nothing is orphaned. With nothing live and no approval needed it runs at once.
  const planDelete = useAction('rollout.planDeleteApp');
  const execute = useAction('rollout.execute');
  const [dialog, setDialog] = useState<'define' | 'delete' | null>(null);
  const noRecipients = recipients.data !== undefined && !recipients.data.some((r) => r.status === 'active');

  const back = (
    <Button variant="subtle" leftSection={<IconArrowLeft size={16} aria-hidden />} onClick={onBack} w="fit-content">
      All apps
    </Button>
  );
  if (app.error) {
    return (
      <Stack>
        {back}
        <ErrorAlert error={app.error} title="App not loaded" />
      </Stack>
    );
  }
  if (!app.data) return <Loader aria-label="Loading app" />;
  const a = app.data;

  return (
    <Stack>
      {back}
      <PageHeader
        title={`App ${a.name}`}
        description={`Namespace ${a.namespace} · ${a.secrets.length} secret(s) · created ${new Date(a.createdAt).toLocaleDateString()}`}
        actions={
          <Group gap="sm">
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setDialog('define')}>
              Define a secret
            </Button>
            <Button variant="default" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => setDialog('delete')}>
              Delete app
            </Button>
          </Group>
        }
      />
      <AppFieldsCard key={a.updatedAt} app={a} onSaved={() => void app.refresh()} />
      {/* Secrets before targeting: with a large fleet the targeting table is long, and what
          an app owner comes for is the secrets. */}
      <Text fw={700} size="lg" component="h3">
        Secrets
      </Text>
      {noRecipients && (
        <Alert color="yellow" icon={<IconKey aria-hidden />} title="No recipients yet">
          No version can be written until there is a recipient: create a key on <Anchor href="#/keys">Keys &amp; tokens</Anchor> and add it as a recipient.
        </Alert>
      )}
      {a.secrets.length === 0 && (
        <EmptyState icon={<IconKey />} title="No secrets yet">
          Define a secret: its Kubernetes name, whether it reaches pods as environment variables or as files in memory, and which workload uses it. Then write
          its first version.
        </EmptyState>
      )}
      {a.secrets.map((s) => (
        <SecretCard key={s.id} app={a.name} namespace={a.namespace} secret={s} onChanged={app.refresh} />
      ))}
      <TargetingCard key={`t-${a.updatedAt}`} app={a} onSaved={() => void app.refresh()} />
      {dialog === 'define' && (
        <DefineSecretModal
          app={a.name}
          onClose={(saved) => {
            setDialog(null);
            if (saved) void app.refresh();
          }}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDelete
          what={`app "${a.name}"`}
          name={a.name}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const as = currentActingAs();
            const plan = await planDelete.run({ app: a.name, ...(as ? { as } : {}) });
            if (!plan) return false;
            if (plan.changes.length > 0 || !plan.approved) {
              navigate('rollouts', plan.hash);
              return true;
            }
            const done = await execute.run({ hash: plan.hash, ...(as ? { as } : {}) });
            if (done) onBack();
            return done !== undefined;
          }}
        >
          The app's Secrets are removed from every cluster (a plan shows where, first), then the app, its {a.secrets.length} secret(s) and every version are
          deleted from the vault. This cannot be undone.
        </ConfirmDelete>
      )}
    </Stack>
  );
}
