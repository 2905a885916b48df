// Provision (or deprovision) in one step the user confirms once: publish (or unpublish) the
// chosen tiles, make the plan, show it, and, where no policy asks for approval, execute it.
// Where a policy asks, the plan opens for approval instead. Cancel puts the publications back
// as they were, so looking at a plan changes nothing.
import { Alert, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useState, type ReactNode } from 'react';
import type { ContractError, PlanView, RolloutView } from '../../../../shared/contract/index.ts';
import { navigate } from '../../app/routes.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { KeyName } from '../../components/KeyName.tsx';
import { useTransport } from '../../hooks/transport-context.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';
import { ACTION_WORDS, countsPhrase, planTitle } from '../rollouts/plan-title.ts';

export type ProvisionMode = 'provision' | 'deprovision';

export interface ProvisionCell {
  app: string;
  cluster: string;
}

interface Pending {
  mode: ProvisionMode;
  plan: PlanView;
  /** Publications this flow changed, to put back on Cancel. */
  changed: ProvisionCell[];
}

export interface ProvisionFlow {
  /** Publishes or unpublishes the cells, plans, and opens the confirmation. */
  start: (mode: ProvisionMode, cells: ProvisionCell[]) => Promise<void>;
  preparing: boolean;
  /** The confirmation dialog; render it once. */
  element: ReactNode;
}

const MAX_ROWS = 200;

/** Publish + plan + (no policy) execute after one confirmation. `onFinished` gets the clusters a rollout touched. */
export function useProvisionFlow(onFinished?: (clusters: string[]) => void): ProvisionFlow {
  const transport = useTransport();
  const [preparing, setPreparing] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [executing, setExecuting] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const [result, setResult] = useState<RolloutView | null>(null);

  const start = useCallback(
    async (mode: ProvisionMode, cells: ProvisionCell[]) => {
      setPreparing(true);
      setError(null);
      setResult(null);
      try {
        const want = mode === 'provision' ? 'published' : 'unpublished';
        const apps = [...new Set(cells.map((c) => c.app))];
        const views = await Promise.all(apps.map((app) => transport.invoke('vault.app', { app })));
        const state = new Map<string, string>();
        for (const v of views) if (v.ok) for (const p of v.value.publications) state.set(`${v.value.name}\u0000${p.cluster}`, p.state);
        const toChange = cells.filter((cell) => (state.get(`${cell.app}\u0000${cell.cluster}`) ?? 'unpublished') !== want);
        const outcomes = await Promise.all(
          toChange.map((cell) => transport.invoke('vault.setPublication', { app: cell.app, cluster: cell.cluster, state: want })),
        );
        const changed: ProvisionCell[] = [];
        outcomes.forEach((done, i) => {
          const cell = toChange[i]!;
          if (done.ok) changed.push(cell);
          else notifications.show({ color: 'red', title: `${cell.app} on ${cell.cluster}`, message: done.error.message });
        });
        const as = currentActingAs();
        const plan = await transport.invoke('rollout.plan', { scope: { cells }, ...(as ? { as } : {}) });
        if (!plan.ok) {
          await revert(changed, mode);
          notifications.show({ color: 'red', title: 'No plan made', message: plan.error.message });
          return;
        }
        setPending({ mode, plan: plan.value, changed });
      } finally {
        setPreparing(false);
      }
    },
    [transport], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const revert = async (cells: ProvisionCell[], mode: ProvisionMode) => {
    const back = mode === 'provision' ? 'unpublished' : 'published';
    await Promise.all(cells.map((c) => transport.invoke('vault.setPublication', { app: c.app, cluster: c.cluster, state: back })));
  };

  const cancel = async () => {
    if (pending && !result) await revert(pending.changed, pending.mode);
    setPending(null);
    setResult(null);
    setError(null);
  };

  const execute = async () => {
    if (!pending) return;
    setExecuting(true);
    setError(null);
    const as = currentActingAs();
    const done = await transport.invoke('rollout.execute', { hash: pending.plan.hash, ...(as ? { as } : {}) });
    setExecuting(false);
    if (!done.ok) {
      setError(done.error);
      return;
    }
    setResult(done.value);
    onFinished?.(done.value.clusters.map((c) => c.cluster));
  };

  const plan = pending?.plan;
  const verb = pending?.mode === 'deprovision' ? 'Deprovision' : 'Provision';
  const needsApproval = plan !== undefined && !plan.approved;
  const nothing = plan !== undefined && plan.changes.length === 0;
  const element = (
    <Modal
      opened={pending !== null}
      onClose={() => void cancel()}
      size="xl"
      title={plan ? `${verb}: ${planTitle(plan)}` : verb}
      closeOnClickOutside={!executing}
      closeOnEscape={!executing}
      closeButtonProps={{ 'aria-label': result ? 'Close' : 'Cancel' }}
    >
      {plan && (
        <Stack data-testid="provision-confirm">
          <Text size="sm">
            {nothing
              ? 'Nothing to change: every tile is already as published.'
              : `${countsPhrase(plan.counts)} on ${new Set(plan.changes.map((c) => c.cluster)).size} cluster(s). Nothing is written until you confirm.`}
          </Text>
          {!nothing && (
            <div style={{ maxHeight: 320, overflow: 'auto' }} tabIndex={0} role="region" aria-label="The plan's changes">
              <Table aria-label="What this plan does" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>Secret</Table.Th>
                    <Table.Th>Cluster</Table.Th>
                    <Table.Th>Keys</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {plan.changes.slice(0, MAX_ROWS).map((a) => (
                    <Table.Tr key={`${a.app}/${a.namespace}/${a.secret}@${a.cluster}`}>
                      <Table.Td>{ACTION_WORDS[a.action][0]}</Table.Td>
                      <Table.Td>
                        {a.namespace}/{a.secret}
                      </Table.Td>
                      <Table.Td>{a.cluster}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {[...a.keys.added, ...a.keys.kept].map((k) => (
                            <KeyName key={k} name={k} />
                          ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {plan.changes.length > MAX_ROWS && (
                <Text size="sm" c="dimmed">
                  and {plan.changes.length - MAX_ROWS} more; the whole plan is on Rollouts.
                </Text>
              )}
            </div>
          )}
          {needsApproval && !nothing && (
            <Alert color="yellow" title="Approval needed first">
              {plan.requirements
                .filter((r) => !r.satisfied)
                .map((r) => `Policy ${r.policy} asks for ${r.required} approval(s) by a ${r.approverRole} for ${r.clusters.length} cluster(s).`)
                .join(' ')}{' '}
              The plan opens on Rollouts, where approvers sign it.
            </Alert>
          )}
          {error && <ErrorAlert error={error} title={`${verb} did not run`} />}
          {result && (
            <Alert color={result.status === 'completed' ? 'green' : 'red'} title={`Rollout ${result.status}`} data-testid="provision-result">
              {result.done} done · {result.failed} failed · {result.pending} not run, of {result.total} step(s).
            </Alert>
          )}
          <Group justify="flex-end">
            {result ? (
              <Button onClick={() => void cancel()}>Close</Button>
            ) : (
              <>
                <Button variant="default" onClick={() => void cancel()} disabled={executing}>
                  Cancel
                </Button>
                {needsApproval && !nothing ? (
                  <Button
                    onClick={() => {
                      const hash = plan.hash;
                      setPending(null);
                      navigate('rollouts', hash);
                    }}
                  >
                    Open for approval
                  </Button>
                ) : (
                  <Button onClick={() => void execute()} loading={executing} disabled={nothing} color={pending?.mode === 'deprovision' ? 'red' : undefined}>
                    {verb} now
                  </Button>
                )}
              </>
            )}
          </Group>
        </Stack>
      )}
    </Modal>
  );
  return { start, preparing, element };
}
