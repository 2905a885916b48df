// Keys & tokens: PKCS#11 modules found on this workstation, and (with the token layer) the
// tokens in their slots and the keys on them.
import { Badge, Button, Card, Code, Stack, Text, Title } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import type { Pkcs11ModuleFile } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { QueryState } from '../../components/QueryState/index.ts';
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

const COLUMNS: DataColumn<Pkcs11ModuleFile>[] = [
  { header: 'Module', cell: (m) => KIND_LABEL[m.kind] ?? m.kind },
  { header: 'Path', cell: (m) => <Code>{m.path}</Code> },
  {
    header: 'Status',
    cell: (m) =>
      m.problem ? (
        <Text c="red" size="sm">
          {m.problem}
        </Text>
      ) : (
        <Badge color="green" variant="light">
          found
        </Badge>
      ),
  },
];

export function ModulesCard() {
  const modules = useQuery('hsm.modules', {});
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>PKCS#11 modules</Title>
        <QueryState
          query={modules}
          loadingLabel="Looking for modules"
          empty={
            <EmptyState icon={<IconKey />} title="No PKCS#11 modules found">
              Install SoftHSM2, OpenSC or your HSM vendor's module, or add its path in Settings.
            </EmptyState>
          }
        >
          {(data) => <DataTable label="PKCS#11 modules" columns={COLUMNS} rows={data} rowKey={(m) => m.path} />}
        </QueryState>
        <Button w="fit-content" variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void modules.refresh()}>
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
