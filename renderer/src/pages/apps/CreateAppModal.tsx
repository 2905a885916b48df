// Create an app: name and namespace checked as you type with the shared rules.
import { Button, Group, Modal, Stack, TagsInput, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { AppView } from '../../../../shared/contract/index.ts';
import { appSpecViolations } from '../../../../shared/domain/secret-rules.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';

export interface CreateAppModalProps {
  /** Called with the new app, or null when cancelled. */
  onClose: (created: AppView | null) => void;
}

export function CreateAppModal({ onClose }: CreateAppModalProps) {
  const [name, setName] = useState('');
  const [namespace, setNamespace] = useState('');
  const [description, setDescription] = useState('');
  const [owners, setOwners] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const create = useAction('vault.createApp', { notifyErrors: false });
  const violations = appSpecViolations({ name, namespace });
  const errorOf = (field: 'name' | 'namespace', label: string, value: string) => {
    const v = violations.find((x) => x.field === field);
    return v && (submitted || value !== '') ? `${label} ${v.message}` : undefined;
  };
  return (
    <Modal opened onClose={() => onClose(null)} title="Create an app">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setSubmitted(true);
          if (violations.length > 0) return;
          const created = await create.run({ name, namespace, description, owners });
          if (created) onClose(created);
        }}
      >
        <Stack>
          {create.error && <ErrorAlert error={create.error} title="App not created" />}
          <TextInput
            label="App name"
            description="A DNS-1123 subdomain, e.g. billing-api"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errorOf('name', 'Name', name)}
            data-autofocus
            autoComplete="off"
          />
          <TextInput
            label="Namespace"
            description="Where its Secrets go on every cluster"
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            error={errorOf('namespace', 'Namespace', namespace)}
            autoComplete="off"
          />
          <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <TagsInput label="Owners" description="Press Enter after each" value={owners} onChange={setOwners} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => onClose(null)}>
              Cancel
            </Button>
            <Button type="submit" loading={create.running}>
              Create app
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
