// Rollouts: plans with their diff and approvals, execution with live per-cluster progress,
// history, resume of interrupted rollouts, and the approvers and policies behind it all.
import { Alert, Badge, Button, Card, Checkbox, Grid, Group, NavLink, ScrollArea, Select, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { IconPlus, IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import type { RolloutClusterStatus, RolloutSummary } from '../../../../shared/contract/index.ts';
import { parseSelector } from '../../../../shared/domain/labels.ts';
import { navigate, useRoute } from '../../app/routes.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryState } from '../../components/QueryState/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { STEP_COLOR } from './action-look.ts';
import { PlanPanel } from './PlanPanel.tsx';
import { planStatuses, planTitle } from './plan-title.ts';
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

const CLUSTER_COLUMNS: DataColumn<RolloutClusterStatus>[] = [
  { header: 'Cluster', cell: (c) => c.cluster },
  {
    header: 'State',
    cell: (c) => (
      <Badge color={STEP_COLOR[c.state]} variant="light">
        {c.state}
      </Badge>
    ),
  },
  {
    header: 'Steps',
    cell: (c) => (
      <>
        {c.done} of {c.steps} steps
      </>
    ),
  },
  { header: 'Error', cell: (c) => c.error?.message ?? '' },
];

function History() {
  const list = useQuery('rollout.list', {});
  const [selected, setSelected] = useState<string | null>(null);
  const detail = useQuery('rollout.get', { rolloutId: selected ?? '' }, { enabled: selected !== null });
  useEvent('rollout.state', () => void list.refresh());
  const columns: DataColumn<RolloutSummary>[] = [
    { header: 'Started', cell: (r) => new Date(r.startedAt).toLocaleString() },
    {
      header: 'Plan',
      cell: (r) => (
        <Button variant="subtle" size="compact-sm" onClick={() => navigate('rollouts', r.planHash)}>
          {r.planHash.slice(0, 12)}
        </Button>
      ),
    },
    { header: 'By', cell: (r) => r.requester },
    {
      header: 'Status',
      cell: (r) => (
        <Badge color={r.status === 'completed' ? 'green' : r.status === 'running' ? 'blue' : 'red'} variant="light">
          {r.status}
        </Badge>
      ),
    },
    {
      header: 'Steps',
      cell: (r) => (
        <>
          {r.done} / {r.total}
          {r.failed > 0 ? `, ${r.failed} failed` : ''}
        </>
      ),
    },
    { header: 'Unwraps', cell: (r) => r.unwraps },
  ];
  return (
    <QueryState query={list} loadingLabel="Loading rollout history" empty={<Text c="dimmed">No rollout has run yet.</Text>}>
      {(rows) => (
        <Stack>
          <DataTable
            label="Rollout history"
            columns={columns}
            rows={rows}
            rowKey={(r) => r.id}
            rowProps={(r) => ({ onClick: () => setSelected(r.id), style: { cursor: 'pointer' }, 'aria-selected': selected === r.id })}
            tableProps={{ highlightOnHover: true }}
          />
          {detail.data && (
            <Card withBorder>
              <Text fw={600} mb="xs">
                Rollout {detail.data.id.slice(0, 8)}: every cluster
              </Text>
              <DataTable label="Clusters of the rollout" columns={CLUSTER_COLUMNS} rows={detail.data.clusters} rowKey={(c) => c.cluster} />
            </Card>
          )}
        </Stack>
      )}
    </QueryState>
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
  const [showSuperseded, setShowSuperseded] = useState(false);
  const [mineOnly, setMineOnly] = useState(false);
  const statuses = planStatuses(plans.data ?? []);
  const me = (principals.data ?? []).find((p) => p.name === actingAs);
  const canApprove = me?.roles.includes('release-manager') ?? false;
  const superseded = (plans.data ?? []).filter((p) => statuses.get(p.hash) === 'superseded').length;
  const listed = (plans.data ?? []).filter((p) => {
    const status = statuses.get(p.hash);
    if (status === 'superseded' && !showSuperseded && p.hash !== param) return false;
    if (mineOnly) return status === 'needs approval' && canApprove && p.createdBy !== actingAs;
    return true;
  });

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
                  <Stack gap={4} mb="xs">
                    <Checkbox
                      label={canApprove ? 'Needs my approval' : 'Needs my approval (act as a release manager)'}
                      checked={mineOnly}
                      onChange={(e) => setMineOnly(e.currentTarget.checked)}
                      disabled={!canApprove}
                    />
                    <Checkbox
                      label={`Show superseded plans (${superseded})`}
                      checked={showSuperseded}
                      onChange={(e) => setShowSuperseded(e.currentTarget.checked)}
                    />
                  </Stack>
                  <ScrollArea.Autosize mah="70vh">
                    <nav aria-label="Plans">
                      {listed.map((p) => (
                        <NavLink
                          key={p.hash}
                          label={planTitle(p)}
                          description={`${statuses.get(p.hash)} · ${new Date(p.createdAt).toLocaleString()} · ${p.hash.slice(0, 12)}`}
                          active={p.hash === selected}
                          data-status={statuses.get(p.hash)}
                          onClick={() => navigate('rollouts', p.hash)}
                        />
                      ))}
                      {listed.length === 0 && (
                        <Text size="sm" c="dimmed">
                          {mineOnly ? 'No plan waits for your approval.' : 'No plan to show.'}
                        </Text>
                      )}
                    </nav>
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
