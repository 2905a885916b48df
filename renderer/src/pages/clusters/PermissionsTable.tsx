// What this context may do, per namespace, from SelfSubjectAccessReviews: get/list/create/
// patch/delete on Secrets and patch on workloads, each a clear yes or no.
import { Badge, Table, Tooltip } from '@mantine/core';
import type { AccessCheck } from '../../../../shared/contract/index.ts';

const COLUMNS = [
  { resource: 'secrets', verb: 'get', label: 'get' },
  { resource: 'secrets', verb: 'list', label: 'list' },
  { resource: 'secrets', verb: 'create', label: 'create' },
  { resource: 'secrets', verb: 'patch', label: 'patch' },
  { resource: 'secrets', verb: 'delete', label: 'delete' },
  { resource: 'deployments', verb: 'patch', label: 'patch workloads' },
] as const;

export interface PermissionsTableProps {
  /** The context's name, for labels. */
  cluster: string;
  access: AccessCheck[];
}

export function PermissionsTable({ cluster, access }: PermissionsTableProps) {
  const namespaces = [...new Set(access.map((a) => a.namespace))];
  return (
    <Table aria-label={`Permissions of ${cluster}`} verticalSpacing={2} withRowBorders={false} fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th rowSpan={2}>Namespace</Table.Th>
          <Table.Th colSpan={5}>Secrets</Table.Th>
          <Table.Th>Workloads</Table.Th>
        </Table.Tr>
        <Table.Tr>
          {COLUMNS.map((c) => (
            <Table.Th key={c.label} fw={500}>
              {c.verb}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {namespaces.map((ns) => (
          <Table.Tr key={ns}>
            <Table.Td>{ns || '(all namespaces)'}</Table.Td>
            {COLUMNS.map((c) => {
              const check = access.find((a) => a.namespace === ns && a.resource === c.resource && a.verb === c.verb);
              if (!check)
                return (
                  <Table.Td key={c.label}>
                    <Badge color="gray" variant="outline" tt="none" aria-label={`${c.verb} ${c.resource}: not checked`}>
                      ?
                    </Badge>
                  </Table.Td>
                );
              const what = `${c.verb} ${c.resource} in ${ns || 'all namespaces'}`;
              return (
                <Table.Td key={c.label}>
                  <Tooltip label={check.reason} disabled={!check.reason}>
                    <Badge
                      color={check.allowed ? 'green' : 'red'}
                      variant="light"
                      styles={{ label: { overflow: 'visible' } }}
                      tt="none"
                      aria-label={`${what}: ${check.allowed ? 'yes' : 'no'}`}
                      data-testid={`perm-${ns}-${c.resource}-${c.verb}`}
                    >
                      {check.allowed ? 'yes' : 'no'}
                    </Badge>
                  </Tooltip>
                </Table.Td>
              );
            })}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
