// Clusters: every kubeconfig context, with reachability, server version and permissions from a
// probe, labels edited in place, filtering by label selector and grouping by a label, and the
// problems of each kubeconfig file.
import { Alert, Anchor, Button, Group, Loader, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconFilter, IconRefresh, IconServer2, IconStethoscope } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { ProbeResult } from '../../../../shared/contract/index.ts';
import { matches, parseSelector, selectorRule } from '../../../../shared/domain/labels.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { useRoute } from '../../app/routes.ts';
import { ClusterCard } from './ClusterCard.tsx';
import { ContextsTable } from './ContextsTable.tsx';

export function ClustersPage() {
  const contexts = useQuery('kube.contexts', {});
  const clusters = useQuery('kube.clusters', {});
  const { param } = useRoute();
  const loaded = clusters.data !== undefined;
  // #/clusters/<name> (from the command palette): bring that cluster's card into view.
  useEffect(() => {
    if (!param || !loaded) return;
    const card = document.querySelector<HTMLElement>(`[data-testid="cluster-${CSS.escape(param)}"]`);
    if (!card) return;
    card.tabIndex = -1;
    card.scrollIntoView({ block: 'center' });
    card.focus({ preventScroll: true });
  }, [param, loaded]);
  const probe = useAction('kube.probe');
  const [probes, setProbes] = useState<Map<string, ProbeResult>>(new Map());
  const [selector, setSelector] = useState('');
  const [groupBy, setGroupBy] = useState<string | null>(null);

  const runProbe = async () => {
    const results = await probe.run({});
    if (results) setProbes(new Map(results.map((r) => [r.cluster, r])));
  };
  const runProbeOnce = probe.run;
  useEffect(() => {
    void runProbeOnce({}).then((results) => {
      if (results) setProbes(new Map(results.map((r) => [r.cluster, r])));
    });
  }, [runProbeOnce]);
  useEvent('kube.contexts.changed', () => {
    void contexts.refresh();
    void clusters.refresh();
  });

  const list = clusters.data ?? [];
  const selectorError = selectorRule(selector);
  const parsed = selectorError ? null : parseSelector(selector).selector;
  const filtered = parsed ? list.filter((c) => matches(parsed, c.labels)) : list;
  const labelKeys = [...new Set(list.flatMap((c) => Object.keys(c.labels)))].sort();
  const groups = new Map<string, typeof filtered>();
  for (const c of filtered) {
    const g = groupBy ? (c.labels[groupBy] !== undefined ? `${groupBy}=${c.labels[groupBy]}` : `no ${groupBy} label`) : '';
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const files = contexts.data?.files ?? [];

  return (
    <Stack>
      <PageHeader
        title="Clusters"
        description="Every kubeconfig context is a cluster Tessera can provision to. Files are merged like kubectl does."
        actions={
          <Group gap="xs">
            <Button
              leftSection={<IconStethoscope size={16} aria-hidden />}
              onClick={() => void runProbe()}
              loading={probe.running}
              disabled={list.length === 0}
            >
              Probe again
            </Button>
            <Button
              leftSection={<IconRefresh size={16} aria-hidden />}
              variant="default"
              onClick={() => {
                void contexts.refresh();
                void clusters.refresh();
              }}
              loading={contexts.loading || clusters.loading}
            >
              Reload
            </Button>
          </Group>
        }
      />
      {(contexts.error ?? clusters.error) && <ErrorAlert error={(contexts.error ?? clusters.error)!} title="Could not read kubeconfig" />}
      {contexts.data?.problems.map((p) => (
        <Alert key={p.file} color="yellow" title={`Skipped ${p.file}`}>
          {p.message}
        </Alert>
      ))}
      {clusters.loading && !clusters.data && <Loader aria-label="Loading clusters" />}
      {clusters.data && list.length === 0 && (
        <EmptyState icon={<IconServer2 />} title="No kubeconfig contexts">
          No kubeconfig contexts found in {files.length > 0 ? files.join(', ') : 'KUBECONFIG or ~/.kube/config'} — add a file in{' '}
          <Anchor href="#/settings">Settings</Anchor>, or set KUBECONFIG before starting Tessera.
        </EmptyState>
      )}
      {list.length > 0 && (
        <>
          <Group align="flex-start">
            <TextInput
              label="Filter by label selector"
              placeholder="env=prod,region in (eu,us)"
              leftSection={<IconFilter size={16} aria-hidden />}
              value={selector}
              onChange={(e) => setSelector(e.currentTarget.value)}
              error={selectorError ? `Selector ${selectorError}` : undefined}
              w={360}
              spellCheck={false}
            />
            <Select label="Group by label" placeholder="No grouping" data={labelKeys} value={groupBy} onChange={setGroupBy} clearable w={200} />
          </Group>
          <Text size="sm" c="dimmed" aria-live="polite">
            {filtered.length} of {list.length} context(s){files.length > 0 ? ` from ${files.join(', ')}` : ''}.
          </Text>
          <ContextsTable clusters={filtered} probes={probes} />
          {[...groups.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([group, members]) => (
              <Stack key={group || 'all'} gap="xs">
                {group && <Title order={3}>{group}</Title>}
                <SimpleGrid cols={{ base: 1, lg: 2 }}>
                  {members.map((c) => (
                    <ClusterCard key={c.name} cluster={c} probe={probes.get(c.name)} probing={probe.running} onSaved={() => void clusters.refresh()} />
                  ))}
                </SimpleGrid>
              </Stack>
            ))}
        </>
      )}
    </Stack>
  );
}
