// The matrix of apps × clusters. Until the vault and the Kubernetes layer land, it says what
// it will show and how many clusters Tessera already sees.
import { Anchor, Stack } from '@mantine/core';
import { IconLayoutGrid } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useQuery } from '../../hooks/use-query.ts';
import { navigate } from '../../app/routes.ts';

export function MatrixPage() {
  const contexts = useQuery('kube.contexts', {});
  const count = contexts.data?.contexts.length;
  return (
    <Stack>
      <PageHeader title="Matrix" description="Apps down, clusters across: what is provisioned where, and what has drifted." />
      <EmptyState icon={<IconLayoutGrid />} title="The matrix needs apps and a scan">
        Each tile will show one app on one cluster — in sync, missing, outdated or drifted — once apps are configured (the
        encrypted vault) and clusters are scanned (the Kubernetes layer). Tessera already sees{' '}
        <Anchor component="button" onClick={() => navigate('clusters')}>
          {count === undefined ? 'your' : count} kubeconfig context{count === 1 ? '' : 's'}
        </Anchor>
        .
      </EmptyState>
    </Stack>
  );
}
