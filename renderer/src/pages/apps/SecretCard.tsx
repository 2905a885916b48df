// One secret of an app: how it is delivered, its keys, the latest version, reveal, history,
// and the buttons to write a version, change the definition or delete it.
import { Badge, Button, Card, Code, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { IconEdit, IconPencilPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { SecretView } from '../../../../shared/contract/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { ConfirmDelete } from './ConfirmDelete.tsx';
import { DefineSecretModal } from './DefineSecretModal.tsx';
import { RevealPanel } from './RevealPanel.tsx';
import { VersionHistory } from './VersionHistory.tsx';
import { WriteVersionModal } from './WriteVersionModal.tsx';
import { KeyName } from '../../components/KeyName.tsx';

export interface SecretCardProps {
  /** The app's name. */
  app: string;
  /** The app's namespace, where the Secret is created. */
  namespace: string;
  secret: SecretView;
  /** Called after anything about the secret changed. */
  onChanged: () => Promise<void>;
}

export function SecretCard({ app, namespace, secret, onChanged }: SecretCardProps) {
  const [dialog, setDialog] = useState<'write' | 'define' | 'delete' | null>(null);
  const remove = useAction('vault.deleteSecret');
  const latest = secret.latestVersion;
  return (
    <Card withBorder data-testid={`secret-${secret.name}`} aria-labelledby={`secret-title-${secret.id}`} component="section">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Group gap="xs">
              <Title order={4} id={`secret-title-${secret.id}`}>
                {secret.name}
              </Title>
              <Badge variant="light">{secret.delivery === 'env' ? 'env' : `volume at ${secret.mountPath ?? '?'}`}</Badge>
              {secret.createNamespace && (
                <Badge variant="light" color="gray">
                  creates namespace
                </Badge>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              Secret{' '}
              <Code>
                {namespace}/{secret.name}
              </Code>
              {secret.workload ? (
                <>
                  {' '}
                  → {secret.workload.kind} <Code>{secret.workload.name}</Code>
                  {secret.workload.container ? (
                    <>
                      {' '}
                      container <Code>{secret.workload.container}</Code>
                    </>
                  ) : (
                    ' (every container)'
                  )}
                </>
              ) : (
                ' — not wired into a workload'
              )}
            </Text>
            <Text size="sm">
              {latest ? (
                <>
                  Latest: <b>v{latest.number}</b> by {latest.createdBy}, {new Date(latest.createdAt).toLocaleString()} · {secret.versionCount} version(s)
                </>
              ) : (
                'No version yet — write the first one to give the secret its values.'
              )}
            </Text>
            {secret.keyNames.length > 0 && (
              <Group gap={4}>
                <Text size="sm">Keys:</Text>
                {secret.keyNames.map((k) => (
                  <KeyName key={k} name={k} variant="outline" />
                ))}
              </Group>
            )}
          </Stack>
          <Group gap="xs">
            <Button leftSection={<IconPencilPlus size={16} aria-hidden />} onClick={() => setDialog('write')}>
              Write new version
            </Button>
            <Button
              variant="default"
              leftSection={<IconEdit size={16} aria-hidden />}
              onClick={() => setDialog('define')}
              aria-label={`Change delivery of ${secret.name}`}
            >
              Delivery
            </Button>
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => setDialog('delete')}
              aria-label={`Delete secret ${secret.name}`}
            >
              Delete
            </Button>
          </Group>
        </Group>
        {latest && (
          <>
            <Divider label="Reveal" labelPosition="left" />
            <RevealPanel key={latest.id} app={app} secret={secret} />
            <Divider label="Version history" labelPosition="left" />
            <VersionHistory key={`${latest.id}-${secret.versionCount}`} app={app} secret={secret.name} />
          </>
        )}
      </Stack>
      {dialog === 'write' && (
        <WriteVersionModal
          app={app}
          secret={secret}
          onClose={(saved) => {
            setDialog(null);
            if (saved) void onChanged();
          }}
        />
      )}
      {dialog === 'define' && (
        <DefineSecretModal
          app={app}
          existing={secret}
          onClose={(saved) => {
            setDialog(null);
            if (saved) void onChanged();
          }}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDelete
          what={`secret "${secret.name}"`}
          name={secret.name}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const done = await remove.run({ app, secret: secret.name });
            if (done) await onChanged();
            return done !== undefined;
          }}
        >
          Every version of it is deleted from the vault. This cannot be undone.
        </ConfirmDelete>
      )}
    </Card>
  );
}
