// Writing a new version: key/value rows (or an import of a .env file or Secret manifest), then a
// review of the changes by key name against the current version, then save. Values live only in
// this dialog's state and are dropped when it closes.
import { Alert, Button, FileButton, Group, Modal, SegmentedControl, Stack, Tabs, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileImport, IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import type { SecretView } from '../../../../shared/contract/index.ts';
import { keyNameViolations } from '../../../../shared/domain/secret-rules.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { hasErrors, KeyValueEditor, newRow, readFileText, validateRows, type KeyValueRow } from '../../components/KeyValueEditor/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { diffKeyNames, previewImportKeys } from './key-diff.ts';
import { KeyDiffView } from './KeyDiffView.tsx';
import { currentActingAs } from '../rollouts/use-acting-as.ts';

/** The author of a signed version: the principal this workstation acts as (app-owner of the app or security-officer). */
const actingAs = () => {
  const as = currentActingAs();
  return as ? { as } : {};
};

export interface WriteVersionModalProps {
  /** The app's name. */
  app: string;
  /** The secret that gets the new version. */
  secret: SecretView;
  /** Called after the version is saved, or when the dialog is cancelled. */
  onClose: (saved: boolean) => void;
}

type Mode = 'edit' | 'import';
type ImportFormat = 'env' | 'manifest';

export function WriteVersionModal({ app, secret, onClose }: WriteVersionModalProps) {
  const current = secret.latestVersion ? secret.keyNames : [];
  const [mode, setMode] = useState<Mode>('edit');
  const [rows, setRows] = useState<KeyValueRow[]>(() => (secret.keyNames.length > 0 ? secret.keyNames.map((k) => newRow(k)) : [newRow()]));
  const [format, setFormat] = useState<ImportFormat>('env');
  const [text, setText] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const [triedReview, setTriedReview] = useState(false);
  const write = useAction('vault.writeVersion', { notifyErrors: false });
  const importVersion = useAction('vault.importVersion', { notifyErrors: false });

  const rowErrors = validateRows(rows, secret.delivery);
  const importKeys = previewImportKeys(format, text);
  const importProblems = text.trim() === '' ? [] : keyNameViolations(importKeys, secret.delivery, 'keys');
  const nextKeys = mode === 'edit' ? rows.map((r) => r.name) : importKeys;
  const diff = diffKeyNames(current, nextKeys);
  const canReview = mode === 'edit' ? !hasErrors(rowErrors) : text.trim() !== '';
  const error = mode === 'edit' ? write.error : importVersion.error;
  const saving = write.running || importVersion.running;

  const close = (saved: boolean) => {
    setRows([]);
    setText('');
    onClose(saved);
  };

  const save = async () => {
    const done =
      mode === 'edit'
        ? await write.run({ app, secret: secret.name, values: rows.map((r) => ({ name: r.name, value: r.value, encoding: r.encoding })), ...actingAs() })
        : await importVersion.run({ app, secret: secret.name, format, text, ...actingAs() });
    if (done) {
      notifications.show({
        color: 'green',
        title: 'Version saved',
        message: `${secret.name} v${done.number} is encrypted for ${done.recipients.length} recipient(s).`,
      });
      close(true);
    }
  };

  return (
    <Modal opened onClose={() => close(false)} title={`New version of "${secret.name}"`} size="xl" closeOnClickOutside={false}>
      <Stack>
        {error && <ErrorAlert error={error} title="Version not saved" />}
        {!reviewing && (
          <Tabs value={mode} onChange={(v) => v && setMode(v as Mode)}>
            <Tabs.List>
              <Tabs.Tab value="edit" leftSection={<IconKey size={14} aria-hidden />}>
                Keys and values
              </Tabs.Tab>
              <Tabs.Tab value="import" leftSection={<IconFileImport size={14} aria-hidden />}>
                Import .env or manifest
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="edit" pt="md">
              <Stack gap="xs">
                <Text size="sm" c="dimmed">
                  {secret.delivery === 'env'
                    ? 'Delivered as environment variables: key names must be C identifiers.'
                    : `Delivered as files under ${secret.mountPath ?? 'the mount path'}: one file per key.`}{' '}
                  {secret.latestVersion ? 'Enter every value again: current values are not fetched.' : ''}
                </Text>
                <KeyValueEditor rows={rows} onChange={setRows} errors={rowErrors} showAllErrors={triedReview} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="import" pt="md">
              <Stack gap="xs">
                <SegmentedControl
                  aria-label="Import format"
                  w="fit-content"
                  value={format}
                  onChange={(v) => setFormat(v as ImportFormat)}
                  data={[
                    { value: 'env', label: '.env file' },
                    { value: 'manifest', label: 'Secret manifest (YAML)' },
                  ]}
                />
                <Textarea
                  label={format === 'env' ? '.env text' : 'Secret manifest'}
                  description="Every key becomes part of the new version; the text is sent once and not kept."
                  autosize
                  minRows={6}
                  maxRows={14}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  styles={{ input: { fontFamily: 'monospace' } }}
                  spellCheck={false}
                  autoComplete="off"
                />
                <Group>
                  <FileButton accept=".env,.yaml,.yml,.json,text/plain" onChange={(f) => f && void readFileText(f).then(setText)}>
                    {(props) => (
                      <Button {...props} variant="default" leftSection={<IconFileImport size={16} aria-hidden />}>
                        Load from a file
                      </Button>
                    )}
                  </FileButton>
                  {text.trim() !== '' && (
                    <Text size="sm" c="dimmed">
                      Keys found: {importKeys.length > 0 ? importKeys.join(', ') : 'none'}
                    </Text>
                  )}
                </Group>
                {importProblems.map((p) => (
                  <Text key={p.field} size="sm" c="red">
                    {p.field === 'keys' ? `The import ${p.message}` : `Key "${importKeys[Number(p.field.split('.')[1])] ?? ''}" ${p.message}`}
                  </Text>
                ))}
              </Stack>
            </Tabs.Panel>
          </Tabs>
        )}
        {reviewing && (
          <Stack>
            <Text fw={600}>Review the new version against {secret.latestVersion ? `v${secret.latestVersion.number}` : 'nothing (first version)'}</Text>
            <KeyDiffView diff={diff} hasCurrent={secret.latestVersion !== null} />
            {mode === 'import' && (
              <Alert color="gray">
                Key names above are a preview; the backend reads the {format === 'env' ? '.env text' : 'manifest'} and stores exactly what it finds.
              </Alert>
            )}
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => (reviewing ? setReviewing(false) : close(false))}>
            {reviewing ? 'Back' : 'Cancel'}
          </Button>
          {!reviewing ? (
            <Button
              onClick={() => {
                setTriedReview(true);
                if (canReview) setReviewing(true);
              }}
              disabled={mode === 'import' && text.trim() === ''}
            >
              Review changes
            </Button>
          ) : (
            <Button onClick={() => void save()} loading={saving}>
              Save version
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
