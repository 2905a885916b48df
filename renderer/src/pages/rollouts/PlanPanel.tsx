// One plan as an approver reads it: its hash, what changes where (key names, never values),
// which policies apply with their required and given approvals, and the buttons to approve
// and execute. Execution streams per-cluster progress below.
import { Alert, Badge, Button, Card, Code, CopyButton, Group, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconPlayerPlay, IconSignature } from '@tabler/icons-react';
import { useState } from 'react';
import type { PlanView, RolloutView } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { ACTION_COLOR } from './action-look.ts';
import { RolloutProgress } from './RolloutProgress.tsx';
import { KeyName } from '../../components/KeyName.tsx';
import { ACTION_WORDS } from './plan-title.ts';

/** "Why" as a short phrase (its first clause, ids left out), with the whole sentence on expand. */
function WhyCell({ reason }: { reason: string }) {
  const short = reason
    .split(/[.;:(]/u)[0]!
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/giu, '')
    .trim();
  if (short === reason.trim() || short.length === 0) return <Text size="sm">{reason}</Text>;
  return (
    <details>
      <summary>
        <Text size="sm" span>
          {short}
        </Text>
      </summary>
      <Text size="sm" c="dimmed">
        {reason}
      </Text>
    </details>
  );
}

export interface PlanPanelProps {
  hash: string;
  actingAs: string | null;
}

function KeyChanges({ keys }: { keys: PlanView['changes'][number]['keys'] }) {
  const parts = [
    ...keys.added.map((k) => <KeyName key={`+${k}`} name={k} prefix="+" color="green" />),
    ...keys.removed.map((k) => <KeyName key={`-${k}`} name={k} prefix="−" color="red" />),
    ...keys.kept.map((k) => <KeyName key={`=${k}`} name={k} />),
  ];
  return parts.length === 0 ? <Text c="dimmed">—</Text> : <Group gap={4}>{parts}</Group>;
}

type Change = PlanView['changes'][number];
type Approval = PlanView['approvals'][number];

const CHANGE_COLUMNS: DataColumn<Change>[] = [
  {
    header: 'Action',
    cellStyle: { whiteSpace: 'nowrap' },
    cell: (a) => (
      <Badge color={ACTION_COLOR[a.action]} variant="light" c="var(--mantine-color-text)" tt="none" style={{ overflow: 'visible' }} data-action={a.action}>
        {ACTION_WORDS[a.action][0]}
      </Badge>
    ),
  },
  {
    header: 'App / secret',
    cell: (a) => (
      <>
        {a.app} / {a.namespace}/{a.secret}
      </>
    ),
  },
  { header: 'Cluster', cell: (a) => a.cluster },
  { header: 'Keys', cell: (a) => <KeyChanges keys={a.keys} /> },
  { header: 'Why', cell: (a) => <WhyCell reason={a.reason} /> },
];

const APPROVAL_COLUMNS: DataColumn<Approval>[] = [
  { header: 'Approver', cell: (a) => a.principal },
  {
    header: 'Key',
    cell: (a) => (
      <>
        <Code>{a.keyFingerprint.slice(0, 16)}</Code> {a.algorithm}
      </>
    ),
  },
  { header: 'When', cell: (a) => new Date(a.at).toLocaleString() },
  {
    header: 'Counts',
    cell: (a) =>
      a.valid ? (
        <Badge color="green" variant="light">
          valid
        </Badge>
      ) : (
        <Text size="sm" c="red">
          {a.note}
        </Text>
      ),
  },
];

export function PlanPanel({ hash, actingAs }: PlanPanelProps) {
  const plan = useQuery('rollout.getPlan', { hash });
  const principals = useQuery('rollout.principals', {});
  const approve = useAction('rollout.approve');
  const execute = useAction('rollout.execute');
  const [approver, setApprover] = useState<string | null>(null);
  const [rollout, setRollout] = useState<RolloutView | null>(null);

  if (plan.error) return <ErrorAlert error={plan.error} title="This plan cannot be shown" />;
  const p = plan.data;
  if (!p) return null;
  const releaseManagers = (principals.data ?? []).filter((x) => x.roles.includes('release-manager'));
  const needsApproval = p.requirements.some((r) => r.required > 0);

  const onApprove = async () => {
    if (!approver) return;
    const updated = await approve.run({ hash, principal: approver });
    if (updated) {
      notifications.show({ color: 'green', title: 'Approved', message: `${approver} signed plan ${hash.slice(0, 12)}.` });
      await plan.refresh();
    }
  };
  const onExecute = async () => {
    const result = await execute.run({ hash, ...(actingAs ? { as: actingAs } : {}) });
    if (result) {
      setRollout(result);
      notifications.show({
        color: result.failed > 0 ? 'yellow' : 'green',
        title: result.failed > 0 ? 'Rollout finished with failures' : 'Rollout finished',
        message: `${result.done} of ${result.total} steps done, ${result.failed} failed; ${result.unwraps} token unwrap${result.unwraps === 1 ? '' : 's'}.`,
      });
      await plan.refresh();
    }
  };

  return (
    <Stack data-testid="plan-panel">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={3}>Plan</Title>
          <Group gap={6}>
            <Text size="sm">SHA-256</Text>
            <Code data-testid="plan-hash">{p.hash}</Code>
            <CopyButton value={p.hash}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="subtle" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" c="dimmed">
            Made by {p.createdBy} at {new Date(p.createdAt).toLocaleString()} · {p.intent === 'delete-app' ? 'delete app' : 'sync'} · {p.clusters} cluster
            {p.clusters === 1 ? '' : 's'}
          </Text>
        </Stack>
        <Group gap={6}>
          {Object.entries(p.counts)
            .filter(([kind, n]) => n > 0 && kind !== 'nothing')
            .map(([kind, n]) => (
              <Badge key={kind} color={ACTION_COLOR[kind as keyof typeof ACTION_COLOR]} variant="light" tt="none">
                {n} {ACTION_WORDS[kind as keyof typeof ACTION_WORDS][n === 1 ? 0 : 1]}
              </Badge>
            ))}
        </Group>
      </Group>

      {p.changes.length === 0 ? (
        <Alert color="green" title="Nothing to change">
          Every cell in this plan's scope is already as published.
        </Alert>
      ) : (
        <DataTable
          label="Planned changes"
          testId="plan-changes"
          columns={CHANGE_COLUMNS}
          rows={p.changes.slice(0, 500)}
          rowKey={(a) => `${a.app}/${a.secret}@${a.cluster}`}
          tableProps={{ striped: true }}
        />
      )}
      {p.changes.length > 500 && (
        <Text size="sm" c="dimmed">
          …and {p.changes.length - 500} more changes (the CLI's `tessera plan --json` lists all).
        </Text>
      )}

      <Card withBorder>
        <Stack>
          <Title order={4}>Approvals</Title>
          {!needsApproval && <Text size="sm">No policy asks for approval of these clusters.</Text>}
          {p.requirements
            .filter((r) => r.required > 0)
            .map((r) => (
              <Group key={r.policy} justify="space-between" data-testid={`policy-${r.policy}`}>
                <Text size="sm">
                  Policy <b>{r.policy}</b> ({r.selector}) needs {r.required} approval{r.required === 1 ? '' : 's'} by a {r.approverRole}
                  {r.excludeRequester ? ', not the requester' : ''} for {r.clusters.length} cluster{r.clusters.length === 1 ? '' : 's'}.
                </Text>
                <Badge
                  color={r.satisfied ? 'green' : 'yellow'}
                  variant="light"
                  c="var(--mantine-color-text)"
                  leftSection={r.satisfied ? <IconCheck size={12} aria-hidden /> : undefined}
                >
                  {r.given.length} of {r.required}
                </Badge>
              </Group>
            ))}
          {p.approvals.length > 0 && (
            <DataTable label="Approvals given" columns={APPROVAL_COLUMNS} rows={p.approvals} rowKey={(a) => `${a.principal}-${a.at}`} />
          )}
          {needsApproval && (
            <Group align="flex-end">
              <Select
                label="Approve as"
                placeholder={releaseManagers.length === 0 ? 'No release managers registered' : 'Choose a release manager'}
                data={releaseManagers.map((x) => x.name)}
                value={approver}
                onChange={setApprover}
                w={260}
              />
              <Tooltip label="The release manager's token signs this plan's hash; their token must be unlocked on this workstation.">
                <Button leftSection={<IconSignature size={16} aria-hidden />} onClick={() => void onApprove()} loading={approve.running} disabled={!approver}>
                  Approve
                </Button>
              </Tooltip>
            </Group>
          )}
          {approve.error?.code === 'TOKEN_LOCKED' ? (
            <TokenLoginPrompt reason={`${approver ?? 'The approver'}'s token must be unlocked to sign this plan.`} onUnlocked={() => void onApprove()} />
          ) : (
            approve.error && <ErrorAlert error={approve.error} title="Not approved" />
          )}
        </Stack>
      </Card>

      <Group>
        <Button
          color={p.approved ? 'indigo' : 'gray'}
          leftSection={<IconPlayerPlay size={16} aria-hidden />}
          onClick={() => void onExecute()}
          loading={execute.running}
          disabled={p.changes.length === 0 && p.intent !== 'delete-app'}
        >
          Execute
        </Button>
        {!p.approved && (
          <Text size="sm" c="dimmed">
            Execution is refused until every policy above has its approvals.
          </Text>
        )}
      </Group>
      {execute.error?.code === 'TOKEN_LOCKED' ? (
        <TokenLoginPrompt
          reason="Executing needs an unlocked token: to unwrap the secret versions, and to sign as the requester."
          onUnlocked={() => void onExecute()}
        />
      ) : (
        execute.error && <ErrorAlert error={execute.error} title="Not executed" />
      )}
      {(execute.running || rollout) && (
        <RolloutProgress rollout={rollout} planHash={hash} running={execute.running} actingAs={actingAs} onChange={setRollout} />
      )}
    </Stack>
  );
}
