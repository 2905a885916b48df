// Rollouts: plans with their diff and approvals, execution with live per-cluster progress,
// history, resume of interrupted rollouts, and the approvers and policies behind it all.
import { Alert, Badge, Button, Card, Grid, Group, NavLink, ScrollArea, Select, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { IconPlus, IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { parseSelector } from '../../../../shared/domain/labels.ts';
import { navigate, useRoute } from '../../app/routes.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { STEP_COLOR } from './action-look.ts';
import { PlanPanel } from './PlanPanel.tsx';
import { TrustPanel } from './TrustPanel.tsx';
import { useActingAs } from './use-acting-as.ts';

function InterruptedBanner({ actingAs }: { actingAs: string | null }) {
  const interrupted = useQuery('rollout.interrupted', {});
  const retry = useAction('rollout.retry');
  useEvent('rollout.interrupted', () => void interrupted.refresh());
  if (!interrupted.data || interrupted.data.length === 0) return null;
  return (
    <Alert color="orange" title="Interrupted rollouts" data-testid="interrupted">
      <Stack gap="xs">
        {interrupted.data.map((r) => (
          <Group key={r.id} justify="space-between">
            <Text size="sm">
              Rollout {r.id.slice(0, 8)} of plan {r.planHash.slice(0, 12)} stopped at {r.done} of {r.total} steps ({new Date(r.startedAt).toLocaleString()}).
            </Text>
            <Button
              size="xs"
              loading={retry.running}
              onClick={async () => {
                if (await retry.run({ rolloutId: r.id, ...(actingAs ? { as: actingAs } : {}) })) await interrupted.refresh();
              }}
            >
              Resume
            </Button>
          </Group>
        ))}
      </Stack>
    </Alert>
  );
}

function NewPlan({ actingAs }: { actingAs: string | null }) {
  const [selector, setSelector] = useState('');
  const plan = useAction('rollout.plan');
  const parsed = parseSelector(selector);
  return (
    <Group align="flex-end">
      <TextInput
        label="Plan for clusters"
        placeholder="every cluster, or env=prod"
        value={selector}
        onChange={(e) => setSelector(e.currentTarget.value)}
        error={parsed.error}
        w={260}
      />
      <Button
        leftSection={<IconPlus size={16} aria-hidden />}
        loading={plan.running}
        disabled={parsed.error !== null}
        onClick={async () => {
          const made = await plan.run({ scope: selector.trim() === '' ? {} : { selector }, ...(actingAs ? { as: actingAs } : {}) });
          if (made) navigate('rollouts', made.hash);
        }}
      >
        Make a plan
      </Button>
    </Group>
  );
}

function History() {
  const list = useQuery('rollout.list', {});
  const [selected, setSelected] = useState<string | null>(null);
  const detail = useQuery('rollout.get', { rolloutId: selected ?? '' }, { enabled: selected !== null });
  useEvent('rollout.state', () => void list.refresh());
  if (list.error) return <ErrorAlert error={list.error} />;
  if (list.data?.length === 0) return <Text c="dimmed">No rollout has run yet.</Text>;
  return (
    <Stack>
      <Table highlightOnHover aria-label="Rollout history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Plan</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Steps</Table.Th>
            <Table.Th>Unwraps</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(list.data ?? []).map((r) => (
            <Table.Tr key={r.id} onClick={() => setSelected(r.id)} style={{ cursor: 'pointer' }} aria-selected={selected === r.id}>
              <Table.Td>{new Date(r.startedAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button variant="subtle" size="compact-sm" onClick={() => navigate('rollouts', r.planHash)}>
                  {r.planHash.slice(0, 12)}
                </Button>
              </Table.Td>
              <Table.Td>{r.requester}</Table.Td>
              <Table.Td>
                <Badge color={r.status === 'completed' ? 'green' : r.status === 'running' ? 'blue' : 'red'} variant="light">
                  {r.status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {r.done} / {r.total}
                {r.failed > 0 ? `, ${r.failed} failed` : ''}
              </Table.Td>
              <Table.Td>{r.unwraps}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {detail.data && (
        <Card withBorder>
          <Text fw={600} mb="xs">
            Rollout {detail.data.id.slice(0, 8)}: every cluster
          </Text>
          <Table aria-label="Clusters of the rollout">
            <Table.Tbody>
              {detail.data.clusters.map((c) => (
                <Table.Tr key={c.cluster}>
                  <Table.Td>{c.cluster}</Table.Td>
                  <Table.Td>
                    <Badge color={STEP_COLOR[c.state]} variant="light">
                      {c.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {c.done} of {c.steps} steps
                  </Table.Td>
                  <Table.Td>{c.error?.message ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}

export function RolloutsPage() {
  const { param } = useRoute();
  const [actingAs, setActingAs] = useActingAs();
  const [tab, setTab] = useState<string | null>('plans');
  const plans = useQuery('rollout.plans', {});
  const principals = useQuery('rollout.principals', {});
  useEvent('rollout.state', () => void plans.refresh());
  const selected = param ?? plans.data?.[0]?.hash ?? null;

  return (
    <Stack>
      <PageHeader
        title="Rollouts"
        description="What will change where, who approved it, and what happened on every cluster."
        actions={
          <Select
            label="Acting as"
            placeholder="Choose a principal"
            data={(principals.data ?? []).map((p) => ({ value: p.name, label: `${p.name} (${p.roles.join(', ')})` }))}
            value={actingAs}
            onChange={setActingAs}
            clearable
            w={280}
          />
        }
      />
      <InterruptedBanner actingAs={actingAs} />
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="plans">Plans</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="trust">Approvers &amp; policies</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="plans" pt="md">
          <Stack>
            <NewPlan actingAs={actingAs} />
            {plans.error && <ErrorAlert error={plans.error} />}
            {plans.data && plans.data.length === 0 && !param ? (
              <EmptyState icon={<IconRocket />} title="No plans yet">
                Select tiles on the Matrix and press “Plan rollout”, publish an app on a cluster, or make a plan for a set of clusters above.
              </EmptyState>
            ) : (
              <Grid>
                <Grid.Col span={{ base: 12, lg: 3 }}>
                  <ScrollArea.Autosize mah="70vh">
                    {(plans.data ?? []).map((p) => (
                      <NavLink
                        key={p.hash}
                        label={`${p.hash.slice(0, 12)} · ${
                          Object.entries(p.counts)
                            .filter(([k, n]) => n > 0 && k !== 'nothing')
                            .map(([k, n]) => `${n} ${k}`)
                            .join(', ') || 'no change'
                        }`}
                        description={`${new Date(p.createdAt).toLocaleString()} · ${p.approved ? 'approved' : 'needs approval'}${p.rollouts.length > 0 ? ' · executed' : ''}`}
                        active={p.hash === selected}
                        onClick={() => navigate('rollouts', p.hash)}
                      />
                    ))}
                  </ScrollArea.Autosize>
                </Grid.Col>
                <Grid.Col span={{ base: 12, lg: 9 }}>{selected && <PlanPanel key={selected} hash={selected} actingAs={actingAs} />}</Grid.Col>
              </Grid>
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          {tab === 'history' && <History />}
        </Tabs.Panel>
        <Tabs.Panel value="trust" pt="md">
          {tab === 'trust' && <TrustPanel onChanged={() => void principals.refresh()} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
