import { Stack } from '@mantine/core';
import { IconApps } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';

export function AppsPage() {
  return (
    <Stack>
      <PageHeader title="Apps" description="Applications, their secrets and where they are published." />
      <EmptyState icon={<IconApps />} title="Apps come with the encrypted vault">
        Configuring apps and their secrets — encrypted to keys on your tokens, with version history — arrives with the vault. Nothing
        is stored yet.
      </EmptyState>
    </Stack>
  );
}
