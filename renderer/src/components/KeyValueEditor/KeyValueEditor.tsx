// Key/value rows for a new secret version. Values are masked inputs (never rendered as text);
// each can be pasted, loaded from a file or generated. Key names are checked as you type with
// the shared rules, and each error names the rule it breaks.
import { ActionIcon, Alert, Button, FileButton, Group, PasswordInput, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconClipboard, IconFileUpload, IconPlus, IconTrash } from '@tabler/icons-react';
import type { KeyValueErrors, KeyValueRow } from './model.ts';
import { newRow } from './model.ts';
import { readFileValue } from './read-file.ts';
import { ValueGenerator } from './ValueGenerator.tsx';

export interface KeyValueEditorProps {
  /** The rows, in order. */
  rows: KeyValueRow[];
  /** Receives the whole new list on every change. */
  onChange: (rows: KeyValueRow[]) => void;
  /** Validation result for `rows` (see validateRows). */
  errors: KeyValueErrors;
  /** Show name errors only for rows the user has touched, unless this is set (after a submit). */
  showAllErrors?: boolean;
}

export function KeyValueEditor({ rows, onChange, errors, showAllErrors = false }: KeyValueEditorProps) {
  const update = (id: string, patch: Partial<KeyValueRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  const paste = async (id: string, n: number) => {
    try {
      const text = await navigator.clipboard.readText();
      update(id, { value: text, encoding: 'utf8' });
    } catch {
      notifications.show({
        color: 'yellow',
        title: 'Nothing pasted',
        message: `The clipboard could not be read. Click value ${n} and paste with Ctrl+V instead.`,
      });
    }
  };
  const load = async (id: string, file: File | null) => {
    if (!file) return;
    try {
      const read = await readFileValue(file);
      update(id, { value: read.value, encoding: read.encoding });
      notifications.show({
        color: 'green',
        title: 'File loaded',
        message: `${file.name}: ${read.size} bytes${read.encoding === 'base64' ? ' (binary, kept as bytes)' : ''}.`,
      });
    } catch {
      notifications.show({ color: 'red', title: 'File not loaded', message: `${file.name} could not be read.` });
    }
  };

  return (
    <Stack gap="xs">
      {rows.map((row, i) => {
        const n = i + 1;
        const nameError = errors.rows[row.id];
        const show = showAllErrors || row.name !== '';
        return (
          <Group key={row.id} align="flex-start" gap="xs" wrap="nowrap" data-testid="kv-row">
            <TextInput
              label={`Key name ${n}`}
              placeholder="DATABASE_URL"
              value={row.name}
              onChange={(e) => update(row.id, { name: e.currentTarget.value })}
              error={show ? nameError : undefined}
              w={260}
              autoComplete="off"
              spellCheck={false}
            />
            {row.encoding === 'base64' ? (
              <Stack gap={4} style={{ flex: 1 }}>
                <Text size="sm" fw={500}>
                  Value {n}
                </Text>
                <Group gap="xs">
                  <Text size="sm" c="dimmed">
                    Binary file contents, kept as bytes.
                  </Text>
                  <Button size="compact-xs" variant="subtle" onClick={() => update(row.id, { value: '', encoding: 'utf8' })}>
                    Clear value {n}
                  </Button>
                </Group>
              </Stack>
            ) : (
              <PasswordInput
                label={`Value ${n}`}
                placeholder="value"
                value={row.value}
                onChange={(e) => update(row.id, { value: e.currentTarget.value, encoding: 'utf8' })}
                style={{ flex: 1 }}
                autoComplete="off"
                visibilityToggleButtonProps={{ 'aria-label': `Show or hide value ${n}` }}
              />
            )}
            <Group gap={4} mt={26} wrap="nowrap">
              <Tooltip label="Paste from the clipboard">
                <ActionIcon variant="default" size="lg" aria-label={`Paste value ${n} from the clipboard`} onClick={() => void paste(row.id, n)}>
                  <IconClipboard size={16} aria-hidden />
                </ActionIcon>
              </Tooltip>
              <FileButton onChange={(f) => void load(row.id, f)}>
                {(props) => (
                  <Tooltip label="Load the value from a file">
                    <ActionIcon {...props} variant="default" size="lg" aria-label={`Load value ${n} from a file`}>
                      <IconFileUpload size={16} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                )}
              </FileButton>
              <ValueGenerator target={`value ${n}`} onGenerate={(value) => update(row.id, { value, encoding: 'utf8' })} />
              <Tooltip label="Remove this key">
                <ActionIcon
                  variant="default"
                  size="lg"
                  color="red"
                  aria-label={`Remove key ${n}`}
                  onClick={() => onChange(rows.filter((r) => r.id !== row.id))}
                >
                  <IconTrash size={16} aria-hidden />
                </ActionIcon>
              </Tooltip>
            </Group>
          </Group>
        );
      })}
      {errors.version && (showAllErrors || rows.length > 0) && (
        <Alert color="red" role="alert" p="xs">
          {errors.version}
        </Alert>
      )}
      <Button w="fit-content" variant="default" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => onChange([...rows, newRow()])}>
        Add key
      </Button>
    </Stack>
  );
}
