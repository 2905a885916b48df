import { Stack } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';

export function RolloutsPage() {
  return (
    <Stack>
      <PageHeader title="Rollouts" description="Plans of what will change where, their approvals, and their execution." />
      <EmptyState icon={<IconRocket />} title="No rollouts yet">
        Rollout plans, signed approvals by release managers and live per-cluster progress arrive with the rollout engine, once apps
        and clusters are in place.
      </EmptyState>
    </Stack>
  );
}
