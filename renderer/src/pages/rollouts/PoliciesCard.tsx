// The approval policies of the signed chain (which clusters, how many approvals, who signed
// them) and the form to set one, signed by a security officer's token.
import { Badge, Button, Card, Checkbox, Code, Group, NumberInput, Select, Stack, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TrustPolicyView } from '../../../../shared/contract/index.ts';
import { parseSelector } from '../../../../shared/domain/labels.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { useAction } from '../../hooks/use-action.ts';

const COLUMNS: DataColumn<TrustPolicyView>[] = [
  { header: 'Name', cell: (p) => p.name },
  { header: 'Clusters', cell: (p) => <Code>{p.selector || '(every cluster)'}</Code> },
  {
    header: 'Approvals',
    cell: (p) => (
      <>
        {p.requiredApprovals} × {p.approverRole}
        {p.excludeRequester ? ', never the requester' : ''}
      </>
    ),
  },
  {
    header: 'Signed by',
    cell: (p) => (
      <>
        {p.signedBy} {p.consistent ? null : <Badge color="red">not backed by the chain</Badge>}
      </>
    ),
  },
];

export interface PoliciesCardProps {
  policies: TrustPolicyView[];
  /** Whether the chain has its first security officer (a policy needs one to sign). */
  bootstrapped: boolean;
  /** Security officers who may sign a policy. */
  officers: string[];
  /** Called after a policy was saved. */
  onChanged: () => Promise<void>;
}

export function PoliciesCard({ policies, bootstrapped, officers, onChanged }: PoliciesCardProps) {
  const setPolicy = useAction('rollout.setPolicy');
  const [polName, setPolName] = useState('');
  const [polSelector, setPolSelector] = useState('env=prod');
  const [polCount, setPolCount] = useState(2);
  const [polExclude, setPolExclude] = useState(true);
  const [policySigner, setPolicySigner] = useState<string | null>(null);
  const selectorError = parseSelector(polSelector).error;
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Approval policies</Title>
        <DataTable label="Approval policies" columns={COLUMNS} rows={policies} rowKey={(p) => p.name} />
        {bootstrapped && (
          <Group align="flex-end" wrap="wrap">
            <TextInput label="Policy name" value={polName} onChange={(e) => setPolName(e.currentTarget.value)} w={160} />
            <TextInput
              label="Policy cluster selector"
              value={polSelector}
              onChange={(e) => setPolSelector(e.currentTarget.value)}
              error={selectorError}
              w={200}
            />
            <NumberInput label="Approvals" min={0} max={16} value={polCount} onChange={(v) => setPolCount(Number(v))} w={110} />
            <Checkbox label="Never the requester" checked={polExclude} onChange={(e) => setPolExclude(e.currentTarget.checked)} />
            <Select label="Policy signed by (security officer)" data={officers} value={policySigner} onChange={setPolicySigner} w={280} />
            <Button
              disabled={!polName || !policySigner || selectorError !== null}
              loading={setPolicy.running}
              onClick={async () => {
                const signer = policySigner;
                if (!signer) return;
                if (await setPolicy.run({ name: polName, selector: polSelector, requiredApprovals: polCount, excludeRequester: polExclude, signer })) {
                  notifications.show({ color: 'green', title: 'Policy saved', message: `${polName} was signed by ${signer}.` });
                  await onChanged();
                }
              }}
            >
              Save policy
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
