import { Stack } from '@mantine/core';
import { IconListCheck } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';

export function AuditPage() {
  return (
    <Stack>
      <PageHeader title="Audit" description="Who did what, when — a hash-chained log that detects any edit." />
      <EmptyState icon={<IconListCheck />} title="No audit entries yet">
        The hash-chained, signed audit log starts with the vault: every secret written, revealed or rolled out will be recorded here,
        never with its value.
      </EmptyState>
    </Stack>
  );
}
