// Keys & tokens: PKCS#11 modules found on this workstation, and (with the token layer) the
// tokens in their slots and the keys on them.
import { Badge, Button, Card, Code, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useQuery } from '../../hooks/use-query.ts';
import { RecipientsCard } from './RecipientsCard.tsx';
import { TokensCard } from './TokensCard.tsx';

const KIND_LABEL: Record<string, string> = {
  softhsm2: 'SoftHSM2',
  opensc: 'OpenSC (PIV, smartcards)',
  yubihsm: 'YubiHSM 2',
  'p11-kit': 'p11-kit proxy',
  configured: 'Configured',
};

export function ModulesCard() {
  const { data, error, loading, refresh } = useQuery('hsm.modules', {});
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>PKCS#11 modules</Title>
        {error && <ErrorAlert error={error} />}
        {loading && !data && <Loader aria-label="Looking for modules" />}
        {data && data.length === 0 && (
          <EmptyState icon={<IconKey />} title="No PKCS#11 modules found">
            Install SoftHSM2, OpenSC or your HSM vendor's module, or add its path in Settings.
          </EmptyState>
        )}
        {data && data.length > 0 && (
          <Table aria-label="PKCS#11 modules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Module</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((m) => (
                <Table.Tr key={m.path}>
                  <Table.Td>{KIND_LABEL[m.kind] ?? m.kind}</Table.Td>
                  <Table.Td>
                    <Code>{m.path}</Code>
                  </Table.Td>
                  <Table.Td>
                    {m.problem ? (
                      <Text c="red" size="sm">
                        {m.problem}
                      </Text>
                    ) : (
                      <Badge color="green" variant="light">
                        found
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Button w="fit-content" variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void refresh()}>
          Look again
        </Button>
      </Stack>
    </Card>
  );
}

export function KeysPage() {
  return (
    <Stack>
      <PageHeader title="Keys & tokens" description="Hardware tokens hold the keys that protect every secret. They never leave the token." />
      <TokensCard />
      <RecipientsCard />
      <ModulesCard />
    </Stack>
  );
}
