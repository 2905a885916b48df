// A cluster's labels, edited in place: remove one with its ×, add or change one by typing
// key=value (checked as you type with the shared label rules) and pressing Enter.
import { ActionIcon, Badge, Button, Group, Stack, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import type { KubeClusterView } from '../../../../shared/contract/index.ts';
import { labelKeyRule, labelValueRule } from '../../../../shared/domain/names.ts';
import { useAction } from '../../hooks/use-action.ts';

export interface LabelEditorProps {
  /** The cluster (context) name. */
  cluster: string;
  labels: Record<string, string>;
  /** Called with the cluster as saved. */
  onSaved: (cluster: KubeClusterView) => void;
}

/** Parses "key=value"; a sentence naming the broken rule, or the pair. */
export function parseLabel(text: string): { key: string; value: string } | { error: string } {
  const eq = text.indexOf('=');
  if (eq < 0) return { error: 'Write the label as key=value' };
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  const k = labelKeyRule(key);
  if (k) return { error: `Label key ${k}` };
  const v = labelValueRule(value);
  if (v) return { error: `Label value ${v}` };
  return { key, value };
}

export function LabelEditor({ cluster, labels, onSaved }: LabelEditorProps) {
  const [text, setText] = useState('');
  const setLabels = useAction('kube.setLabels');
  const parsed = text.trim() === '' ? null : parseLabel(text);
  const error = parsed && 'error' in parsed ? parsed.error : undefined;
  const add = async () => {
    if (!parsed || 'error' in parsed) return;
    const saved = await setLabels.run({ cluster, set: { [parsed.key]: parsed.value }, remove: [] });
    if (saved) {
      setText('');
      onSaved(saved);
    }
  };
  return (
    <Stack gap={6}>
      <Group gap={6} aria-label={`Labels of ${cluster}`} role="list">
        {Object.keys(labels).length === 0 && (
          <Badge role="listitem" variant="outline" color="gray" tt="none">
            no labels
          </Badge>
        )}
        {Object.entries(labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => (
            <Badge
              key={k}
              role="listitem"
              variant="light"
              tt="none"
              size="lg"
              rightSection={
                <ActionIcon
                  size="xs"
                  variant="transparent"
                  aria-label={`Remove label ${k}=${v} from ${cluster}`}
                  onClick={async () => {
                    const saved = await setLabels.run({ cluster, set: {}, remove: [k] });
                    if (saved) onSaved(saved);
                  }}
                >
                  <IconX size={12} aria-hidden />
                </ActionIcon>
              }
            >
              {k}={v}
            </Badge>
          ))}
      </Group>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <TextInput
          aria-label={`Add or change a label of ${cluster}`}
          placeholder="env=prod"
          size="xs"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void add();
            }
          }}
          error={error}
          w={260}
          spellCheck={false}
          autoComplete="off"
        />
        <Button
          size="xs"
          variant="default"
          leftSection={<IconPlus size={14} aria-hidden />}
          disabled={!parsed || 'error' in parsed}
          loading={setLabels.running}
          onClick={() => void add()}
          aria-label={`Set label on ${cluster}`}
        >
          Set
        </Button>
      </Group>
    </Stack>
  );
}
