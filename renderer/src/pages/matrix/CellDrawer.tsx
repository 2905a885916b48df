// Details of one (app, cluster) tile: state and why, each Secret's desired and live version,
// drift (keys added or removed, which field manager changed what and when), the wired
// workload, and the actions that lead to a rollout plan.
import { Alert, Badge, Code, Divider, Drawer, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AppView } from '../../../../shared/contract/index.ts';
import type { MatrixCell, SecretCell } from '../../../../shared/domain/cell-state.ts';
import { CELL_LOOK } from '../../components/MatrixGrid/index.ts';
import { useQuery } from '../../hooks/use-query.ts';
import classes from '../../components/MatrixGrid/MatrixGrid.module.css';
import { KeyName } from '../../components/KeyName.tsx';

export interface CellDrawerProps {
  app: string;
  cluster: string;
  onClose: () => void;
  /** Buttons for the actions that start a rollout (Provision, Deprovision, Verify). */
  actions?: ReactNode;
}

function StateBadge({ state }: { state: MatrixCell['state'] }) {
  const look = CELL_LOOK[state];
  return (
    <Group gap={6} wrap="nowrap">
      <span className={`${classes.legendSwatch} ${classes[look.tone]}`} aria-hidden>
        {look.glyph}
      </span>
      <Text fw={600}>{look.label}</Text>
    </Group>
  );
}

function shortId(id: string | null) {
  return id ? (
    <Code>{id.slice(0, 12)}</Code>
  ) : (
    <Text span c="dimmed">
      —
    </Text>
  );
}

function SecretDetails({ secret, app }: { secret: SecretCell; app: AppView | undefined }) {
  const definition = app?.secrets.find((s) => s.name === secret.name);
  return (
    <Stack gap="xs" data-testid={`secret-${secret.name}`}>
      <Group justify="space-between">
        <Title order={5}>
          {secret.namespace}/{secret.name}
        </Title>
        <StateBadge state={secret.state} />
      </Group>
      <Text size="sm">{secret.reason}</Text>
      <Table withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td w={160}>Desired version</Table.Td>
            <Table.Td>{shortId(secret.publishedVersionId)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>Live version</Table.Td>
            <Table.Td>{shortId(secret.liveVersionId)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>Live object uid</Table.Td>
            <Table.Td>{secret.uid ? <Code>{secret.uid}</Code> : '—'}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>Consumers</Table.Td>
            <Table.Td>
              {definition?.workload
                ? `${definition.workload.kind}/${definition.workload.name}${definition.workload.container ? ` (container ${definition.workload.container})` : ''}, as ${definition.delivery === 'env' ? 'environment variables' : `a volume at ${definition.mountPath}`}`
                : 'No workload wired; the Secret is only created.'}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {(secret.keysAdded.length > 0 || secret.keysRemoved.length > 0) && (
        <Alert color="orange" title="Keys differ from what Tessera wrote">
          {secret.keysAdded.length > 0 && (
            <Group gap={4}>
              <Text size="sm">Added on the cluster:</Text>
              {secret.keysAdded.map((k) => (
                <KeyName key={k} name={k} color="orange" />
              ))}
            </Group>
          )}
          {secret.keysRemoved.length > 0 && (
            <Group gap={4}>
              <Text size="sm">Missing on the cluster:</Text>
              {secret.keysRemoved.map((k) => (
                <KeyName key={k} name={k} color="red" />
              ))}
            </Group>
          )}
        </Alert>
      )}
      {(secret.wiring ?? []).length > 0 && (
        <Alert color="orange" title="Wiring removed outside Tessera">
          <List size="sm">
            {(secret.wiring ?? []).map((w) => (
              <List.Item key={`${w.workload}-${w.manager}`}>
                {w.workload}: <Code>{w.manager}</Code> no longer owns {w.missing.join(', ')}
                {w.changedBy
                  ? ` (last written by ${w.changedBy}${w.time ? ` at ${new Date(w.time).toLocaleString()}` : ''})`
                  : ' (the cluster keeps no record of who removed it)'}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {secret.drift.length > 0 && (
        <Alert color="orange" title="Changed outside Tessera">
          <List size="sm">
            {secret.drift.map((d) => (
              <List.Item key={`${d.manager}-${d.operation}`}>
                <Code>{d.manager}</Code> ({d.operation}){d.time ? ` at ${new Date(d.time).toLocaleString()}` : ''} changed{' '}
                {d.keys.map((k) => (
                  <KeyName key={k} name={k} color="orange" />
                ))}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

export function CellDrawer({ app, cluster, onClose, actions }: CellDrawerProps) {
  const appView = useQuery('vault.app', { app });
  const details = useQuery('kube.cell', { app, cluster });
  const cell = details.data ?? undefined;
  return (
    <Drawer opened onClose={onClose} position="right" size="lg" title={<Title order={4}>{`${app} on ${cluster}`}</Title>}>
      <Stack>
        {cell ? (
          <>
            <Group justify="space-between">
              <StateBadge state={cell.state} />
              <Badge variant="light">
                {cell.secrets.length} secret{cell.secrets.length === 1 ? '' : 's'}
              </Badge>
            </Group>
            <Text size="sm">{cell.reason}</Text>
            {cell.state === 'error' || cell.state === 'unreachable' || cell.state === 'forbidden' ? (
              <Alert color="red" title="Last error">
                {cell.reason}
              </Alert>
            ) : null}
            {cell.secrets.map((s) => (
              <div key={`${s.namespace}/${s.name}`}>
                <Divider mb="sm" />
                <SecretDetails secret={s} app={appView.data} />
              </div>
            ))}
          </>
        ) : details.loading ? null : (
          <Text c="dimmed">This app does not target this cluster, or the cluster has not been scanned since.</Text>
        )}
        {actions && (
          <>
            <Divider />
            <Group>{actions}</Group>
          </>
        )}
      </Stack>
    </Drawer>
  );
}
