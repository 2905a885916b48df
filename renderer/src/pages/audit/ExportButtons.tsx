// Export the audit log as JSON Lines: a download made from a Blob URL (the CSP governs what the
// page loads and connects to, not a download the user asks for), and a view with Copy for
// hosts where downloads are not possible.
import { Button, CopyButton, Group, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import { IconCopy, IconDownload, IconFileText } from '@tabler/icons-react';
import { useState } from 'react';
import { useAction } from '../../hooks/use-action.ts';

function download(jsonl: string) {
  const blob = new Blob([jsonl], { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `tessera-audit-${new Date().toISOString().slice(0, 19).replace(/:/gu, '-')}.jsonl`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportButtons() {
  const exportLog = useAction('audit.export');
  const [shown, setShown] = useState<{ jsonl: string; entries: number } | null>(null);
  return (
    <Group gap="xs">
      <Button
        variant="default"
        leftSection={<IconDownload size={16} aria-hidden />}
        loading={exportLog.running}
        onClick={async () => {
          const result = await exportLog.run({});
          if (result) download(result.jsonl);
        }}
      >
        Export JSON Lines
      </Button>
      <Button
        variant="default"
        leftSection={<IconFileText size={16} aria-hidden />}
        onClick={async () => {
          const result = await exportLog.run({});
          if (result) setShown(result);
        }}
      >
        View JSON Lines
      </Button>
      {shown && (
        <Modal opened onClose={() => setShown(null)} title={`Audit log as JSON Lines (${shown.entries} entries)`} size="xl">
          <Stack>
            <ScrollArea h={420} type="auto">
              <Text component="pre" ff="monospace" size="xs" style={{ whiteSpace: 'pre', margin: 0 }} data-testid="audit-jsonl">
                {shown.jsonl}
              </Text>
            </ScrollArea>
            <Group justify="flex-end">
              <CopyButton value={shown.jsonl}>
                {({ copied, copy }) => (
                  <Button leftSection={<IconCopy size={16} aria-hidden />} onClick={copy} color={copied ? 'teal' : undefined}>
                    {copied ? 'Copied' : 'Copy all'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Modal>
      )}
    </Group>
  );
}
