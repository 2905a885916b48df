// A confirmation for deleting something that cannot be undone: the user types its name.
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';

export interface ConfirmDeleteProps {
  /** What is deleted, e.g. 'app "billing"'. */
  what: string;
  /** The name the user must type to confirm. */
  name: string;
  /** What else goes with it. */
  children: ReactNode;
  /** Deletes; resolves true when done. */
  onConfirm: () => Promise<boolean>;
  onClose: () => void;
}

export function ConfirmDelete({ what, name, children, onConfirm, onClose }: ConfirmDeleteProps) {
  const [typed, setTyped] = useState('');
  const [running, setRunning] = useState(false);
  return (
    <Modal opened onClose={onClose} title={`Delete ${what}?`}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (typed !== name) return;
          setRunning(true);
          const done = await onConfirm();
          setRunning(false);
          if (done) onClose();
        }}
      >
        <Stack>
          <Text size="sm">{children}</Text>
          <TextInput label={`Type "${name}" to confirm`} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={typed !== name} loading={running}>
              Delete
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
