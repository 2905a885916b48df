// One kubeconfig context as a cluster: where it points, how it authenticates, whether it is
// reachable (and its version), what it may do, and its labels.
import { Alert, Badge, Card, Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { KubeClusterView, ProbeResult } from '../../../../shared/contract/index.ts';
import { LabelEditor } from './LabelEditor.tsx';
import { PermissionsTable } from './PermissionsTable.tsx';

export interface ClusterCardProps {
  cluster: KubeClusterView;
  /** The last probe of it, if any. */
  probe: ProbeResult | undefined;
  /** Whether a probe is running now. */
  probing: boolean;
  /** Called with the cluster after its labels changed. */
  onSaved: (cluster: KubeClusterView) => void;
}

function Reachability({ probe, probing }: { probe: ProbeResult | undefined; probing: boolean }) {
  if (!probe)
    return probing ? (
      <Loader size="xs" aria-label="Probing" />
    ) : (
      <Badge color="gray" variant="light">
        not probed
      </Badge>
    );
  if (probe.reachable)
    return (
      <Group gap={6}>
        <Badge color="green" variant="light">
          reachable
        </Badge>
        {probe.serverVersion && (
          <Badge variant="outline" tt="none">
            {probe.serverVersion}
          </Badge>
        )}
        {probe.latencyMs !== null && (
          <Text size="xs" c="dimmed">
            {probe.latencyMs} ms
          </Text>
        )}
      </Group>
    );
  return (
    <Badge color="red" variant="light">
      unreachable
    </Badge>
  );
}

export function ClusterCard({ cluster, probe, probing, onSaved }: ClusterCardProps) {
  return (
    <Card withBorder component="section" aria-labelledby={`cluster-${cluster.name}`} data-testid={`cluster-${cluster.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={4} id={`cluster-${cluster.name}`}>
                {cluster.name}
              </Title>
              {cluster.current && (
                <Badge size="xs" variant="light">
                  current
                </Badge>
              )}
            </Group>
            <Text size="sm">
              <Code>{cluster.server ?? 'no server'}</Code> as <b>{cluster.user || '—'}</b> ({cluster.auth}) · namespace {cluster.namespace ?? 'default'}
            </Text>
            <Text size="xs" c="dimmed">
              from {cluster.source}
            </Text>
          </Stack>
          <Reachability probe={probe} probing={probing} />
        </Group>
        {cluster.problem && (
          <Alert color="yellow" p="xs" title="This context cannot be used">
            {cluster.problem}
          </Alert>
        )}
        {probe?.error && (
          <Alert color={probe.reachable ? 'yellow' : 'red'} p="xs">
            {probe.error.message}
          </Alert>
        )}
        {probe && probe.access.length > 0 && <PermissionsTable cluster={cluster.name} access={probe.access} />}
        <LabelEditor cluster={cluster.name} labels={cluster.labels} onSaved={onSaved} />
      </Stack>
    </Card>
  );
}
