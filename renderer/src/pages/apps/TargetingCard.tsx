// Where an app goes: a cluster label selector (checked with the shared parser as you type),
// clusters always included or always excluded, and per cluster whether it is published there.
// An app is desired on a cluster when it is targeted and published there. Every change here
// goes through the rollout engine, which records it and makes the plan that follows from it
// (provisioning or deprovisioning); nothing is written to a cluster until that plan executes.
import { Alert, Anchor, Badge, Button, Card, Code, Group, MultiSelect, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { AppTargeting, AppView, PlanView } from '../../../../shared/contract/index.ts';
import { navigate } from '../../app/routes.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';
import { selectorRule } from '../../../../shared/domain/labels.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { targetReason, type TargetReason } from './targeting.ts';
import { useClusterList } from './use-cluster-list.ts';
import { useProvisionFlow } from '../matrix/ProvisionFlow.tsx';

const REASON: Record<TargetReason, { label: string; color: string }> = {
  included: { label: 'included', color: 'indigo' },
  selector: { label: 'matches selector', color: 'teal' },
  excluded: { label: 'excluded', color: 'red' },
  none: { label: 'not targeted', color: 'gray' },
};

export interface TargetingCardProps {
  app: AppView;
  /** Called with the saved app. */
  onSaved: (app: AppView) => void;
}

export function TargetingCard({ app, onSaved }: TargetingCardProps) {
  const { clusters, error: clustersError } = useClusterList();
  const [draft, setDraft] = useState<AppTargeting>(app.targeting);
  const update = useAction('rollout.retarget', { notifyErrors: false });
  const publish = useAction('rollout.publish');
  const reload = useAction('vault.app');
  const as = currentActingAs();
  const flow = useProvisionFlow(() => void reload.run({ app: app.name }).then((fresh) => fresh && onSaved(fresh)));

  /** Tells what the change planned, with a way to the plan, and reloads the app. */
  const planned = async (what: string, plan: PlanView) => {
    const changes = plan.changes.length;
    notifications.show({
      color: 'green',
      title: what,
      message: (
        <>
          {changes === 0 ? 'Nothing to change on the clusters. ' : `Plan ${plan.hash.slice(0, 12)} has ${changes} change${changes === 1 ? '' : 's'}. `}
          {changes > 0 && (
            <Anchor component="button" onClick={() => navigate('rollouts', plan.hash)}>
              Open the plan
            </Anchor>
          )}
        </>
      ),
    });
    const fresh = await reload.run({ app: app.name });
    if (fresh) {
      setDraft(fresh.targeting);
      onSaved(fresh);
    }
  };
  const selectorError = selectorRule(draft.selector);
  const both = draft.include.filter((c) => draft.exclude.includes(c));
  const dirty = JSON.stringify(draft) !== JSON.stringify(app.targeting);
  const names = [...new Set([...clusters.map((c) => c.name), ...draft.include, ...draft.exclude])].sort();
  const labelsOf = (name: string) => clusters.find((c) => c.name === name)?.labels ?? {};

  const save = async () => {
    const plan = await update.run({
      app: app.name,
      targeting: { selector: draft.selector.trim(), include: draft.include, exclude: draft.exclude },
      ...(as ? { as } : {}),
    });
    if (plan) await planned(`Targeting of "${app.name}" saved`, plan);
  };

  return (
    <Card withBorder component="section" aria-labelledby="targeting-title">
      <Stack>
        <Title order={4} id="targeting-title">
          Targeting
        </Title>
        {update.error && <ErrorAlert error={update.error} title="Targeting not saved" />}
        {clustersError && <ErrorAlert error={clustersError} title="Clusters could not be listed" />}
        <TextInput
          label="Cluster label selector"
          description="e.g. env=prod,region in (eu,us),!legacy — empty selects no cluster by label"
          value={draft.selector}
          onChange={(e) => setDraft({ ...draft, selector: e.currentTarget.value })}
          error={selectorError ? `Selector ${selectorError}` : undefined}
          spellCheck={false}
          autoComplete="off"
        />
        <Group grow align="flex-start">
          <MultiSelect
            label="Always include"
            description="Targeted whatever their labels"
            data={names}
            value={draft.include}
            onChange={(include) => setDraft({ ...draft, include })}
            searchable
            clearable
            nothingFoundMessage="No such cluster"
          />
          <MultiSelect
            label="Always exclude"
            description="Never targeted, whatever their labels"
            data={names}
            value={draft.exclude}
            onChange={(exclude) => setDraft({ ...draft, exclude })}
            searchable
            clearable
            nothingFoundMessage="No such cluster"
          />
        </Group>
        {both.length > 0 && (
          <Text c="red" size="sm" role="alert">
            A cluster cannot be both included and excluded: {both.join(', ')}.
          </Text>
        )}
        <Group>
          <Button onClick={() => void save()} disabled={!dirty || selectorError !== null || both.length > 0} loading={update.running}>
            Save targeting
          </Button>
          {dirty && (
            <Badge color="yellow" variant="light">
              unsaved changes
            </Badge>
          )}
        </Group>
        {(() => {
          // Every cluster the saved targeting picks that is not published yet: one plan, one confirmation.
          const matching = names.filter((n) => {
            const r = targetReason(app.targeting, n, labelsOf(n));
            return (r === 'included' || r === 'selector') && app.publications.find((p) => p.cluster === n)?.state !== 'published';
          });
          return (
            <Group>
              <Button
                variant="light"
                disabled={matching.length === 0 || dirty}
                loading={flow.preparing}
                onClick={() =>
                  void flow.start(
                    'provision',
                    matching.map((cluster) => ({ app: app.name, cluster })),
                  )
                }
              >
                Publish to all matching ({matching.length})
              </Button>
              <Text size="sm" c="dimmed">
                {matching.length === 0
                  ? 'Every cluster the targeting picks is published.'
                  : `${matching.length} cluster(s) match the targeting but are not published.`}
              </Text>
              {flow.element}
            </Group>
          );
        })()}
        {names.length === 0 ? (
          <Alert color="gray">No clusters known yet. Add kubeconfig contexts (Settings) to target and publish this app.</Alert>
        ) : (
          <Table aria-label="Clusters and publish state">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Cluster</Table.Th>
                <Table.Th>Labels</Table.Th>
                <Table.Th>Targeting</Table.Th>
                <Table.Th>Published</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {names.map((name) => {
                const labels = labelsOf(name);
                const reason = targetReason(draft, name, labels);
                const savedReason = targetReason(app.targeting, name, labels);
                const pub = app.publications.find((p) => p.cluster === name);
                const targeted = savedReason === 'included' || savedReason === 'selector';
                const published = targeted && pub?.state === 'published';
                return (
                  <Table.Tr key={name}>
                    <Table.Td>
                      <Text fw={500}>{name}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {Object.entries(labels).map(([k, v]) => (
                          <Code key={k}>
                            {k}={v}
                          </Code>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={REASON[reason].color} variant="light">
                        {REASON[reason].label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`Published to ${name}`}
                        checked={published}
                        disabled={!targeted || dirty || publish.running}
                        onChange={async (e) => {
                          const state = e.currentTarget.checked ? 'published' : 'unpublished';
                          const plan = await publish.run({ app: app.name, cluster: name, state, ...(as ? { as } : {}) });
                          if (plan) await planned(`${app.name} ${state} ${state === 'published' ? 'on' : 'from'} ${name}`, plan);
                        }}
                        label={!targeted ? 'not targeted' : published ? 'published' : 'matches · not published'}
                      />
                      {pub && (
                        <Text size="xs" c="dimmed">
                          {pub.state} by {pub.updatedBy}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
