// The principals of the signed chain (name, roles, key, who signed them) and, once a first
// security officer exists, the form to register another, signed by a security officer's token.
import { Badge, Button, Card, Code, Group, MultiSelect, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ROLES, type Role, type TrustPrincipalView } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { TokenKeyPicker } from './TokenKeyPicker.tsx';

const COLUMNS: DataColumn<TrustPrincipalView>[] = [
  { header: 'Name', cell: (p) => p.name },
  {
    header: 'Roles',
    cell: (p) => (
      <Group gap={4}>
        {p.roles.map((r) => (
          <Badge key={r} variant="light">
            {r}
          </Badge>
        ))}
      </Group>
    ),
  },
  { header: 'Key', cell: (p) => <Code>{p.keyFingerprint.slice(0, 16)}</Code> },
  {
    header: 'Signed by',
    cell: (p) => (
      <>
        {p.signedBy} {p.consistent ? null : <Badge color="red">not backed by the chain</Badge>}
      </>
    ),
  },
];

export interface PrincipalsCardProps {
  principals: TrustPrincipalView[];
  /** Whether the chain has its first security officer (registering needs one to sign). */
  bootstrapped: boolean;
  /** Security officers who may sign a registration. */
  officers: string[];
  /** Called after a principal was registered. */
  onChanged: () => Promise<void>;
}

export function PrincipalsCard({ principals, bootstrapped, officers, onChanged }: PrincipalsCardProps) {
  const addPrincipal = useAction('rollout.addPrincipal');
  const [pName, setPName] = useState('');
  const [pRoles, setPRoles] = useState<Role[]>(['release-manager']);
  const [pPem, setPPem] = useState('');
  const [pKey, setPKey] = useState<{ tokenSerial: string; keyId: string } | null>(null);
  const [principalSigner, setPrincipalSigner] = useState<string | null>(null);
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Principals</Title>
        <DataTable label="Principals" columns={COLUMNS} rows={principals} rowKey={(p) => p.name} />
        {bootstrapped && (
          <Stack gap="xs">
            <Text fw={600} size="sm">
              Register a principal
            </Text>
            <Group grow align="flex-start">
              <TextInput label="Name" value={pName} onChange={(e) => setPName(e.currentTarget.value)} />
              <MultiSelect label="Roles" data={[...ROLES]} value={pRoles} onChange={(v) => setPRoles(v as Role[])} />
            </Group>
            <Textarea
              label="Signing public key (PEM)"
              description="Or pick a key on an unlocked token below."
              autosize
              minRows={2}
              value={pPem}
              onChange={(e) => setPPem(e.currentTarget.value)}
            />
            {pPem.trim() === '' && <TokenKeyPicker value={pKey} onChange={setPKey} />}
            <Group align="flex-end">
              <Select label="Registration signed by (security officer)" data={officers} value={principalSigner} onChange={setPrincipalSigner} w={300} />
              <Button
                disabled={!pName || !principalSigner || pRoles.length === 0 || (pPem.trim() === '' && !pKey)}
                loading={addPrincipal.running}
                onClick={async () => {
                  const signer = principalSigner;
                  if (!signer) return;
                  const input =
                    pPem.trim() !== '' ? { name: pName, roles: pRoles, publicKeyPem: pPem.trim(), signer } : { name: pName, roles: pRoles, ...pKey!, signer };
                  if (await addPrincipal.run(input)) {
                    notifications.show({ color: 'green', title: 'Registered', message: `${pName} was registered and signed by ${signer}.` });
                    setPName('');
                    setPPem('');
                    await onChanged();
                  }
                }}
              >
                Register
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
