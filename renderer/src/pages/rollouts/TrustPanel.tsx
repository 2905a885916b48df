// Who may approve what: the signed chain of principals, roles and policies, walked back to the
// first security officer whose key fingerprint is pinned outside the database. Every change
// here is signed by a security officer's token key.
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ROLES, type Role } from '../../../../shared/contract/index.ts';
import { parseSelector } from '../../../../shared/domain/labels.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';

/** A key on an unlocked token, chosen from a list. */
function TokenKeyPicker({
  value,
  onChange,
}: {
  value: { tokenSerial: string; keyId: string } | null;
  onChange: (v: { tokenSerial: string; keyId: string } | null) => void;
}) {
  const tokens = useQuery('hsm.tokens', {});
  const unlocked = (tokens.data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token?.state === 'unlocked' ? [s.token] : [])));
  const [serial, setSerial] = useState<string | null>(unlocked[0]?.serial ?? null);
  const keys = useQuery('hsm.keys', { tokenSerial: serial ?? '' }, { enabled: serial !== null });
  const signing = serial ? (keys.data ?? []).filter((k) => k.capabilities.sign) : [];
  if (unlocked.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Unlock a token on Keys &amp; tokens to use one of its keys.
      </Text>
    );
  return (
    <Group grow>
      <Select label="Token" data={unlocked.map((t) => ({ value: t.serial, label: t.label }))} value={serial} onChange={setSerial} allowDeselect={false} />
      <Select
        label="Signing key"
        data={signing.map((k) => ({ value: k.keyId, label: `${k.label} (${k.type}${k.curve ? ` ${k.curve}` : ''})` }))}
        value={value?.keyId ?? null}
        onChange={(keyId) => onChange(keyId && serial ? { tokenSerial: serial, keyId } : null)}
      />
    </Group>
  );
}

export interface TrustPanelProps {
  /** Called after a principal or policy changed, so other views can re-read them. */
  onChanged?: () => void;
}

export function TrustPanel({ onChanged }: TrustPanelProps) {
  const trust = useQuery('rollout.trust', {});
  const principals = useQuery('rollout.principals', {});
  const policies = useQuery('rollout.policies', {});
  const bootstrap = useAction('rollout.bootstrap');
  const addPrincipal = useAction('rollout.addPrincipal');
  const setPolicy = useAction('rollout.setPolicy');
  const refresh = async () => {
    await Promise.all([trust.refresh(), principals.refresh(), policies.refresh()]);
    onChanged?.();
  };

  const [bootName, setBootName] = useState('');
  const [bootKey, setBootKey] = useState<{ tokenSerial: string; keyId: string } | null>(null);
  const [pName, setPName] = useState('');
  const [pRoles, setPRoles] = useState<Role[]>(['release-manager']);
  const [pPem, setPPem] = useState('');
  const [pKey, setPKey] = useState<{ tokenSerial: string; keyId: string } | null>(null);
  const [polName, setPolName] = useState('');
  const [polSelector, setPolSelector] = useState('env=prod');
  const [polCount, setPolCount] = useState(2);
  const [polExclude, setPolExclude] = useState(true);
  const [principalSigner, setPrincipalSigner] = useState<string | null>(null);
  const [policySigner, setPolicySigner] = useState<string | null>(null);

  const officers = (principals.data ?? []).filter((p) => p.roles.includes('security-officer')).map((p) => p.name);
  const selectorError = parseSelector(polSelector).error;
  const t = trust.data;

  return (
    <Stack>
      {trust.error && <ErrorAlert error={trust.error} />}
      {t && (
        <Alert color={t.ok ? 'green' : 'red'} title={t.ok ? 'The chain of trust verifies' : 'The chain of trust is broken'} data-testid="trust-status">
          {t.anchor ? (
            <Text size="sm">
              Anchored at the first security officer <b>{t.anchor.principal}</b>, key <Code>{t.anchor.keyFingerprint.slice(0, 24)}</Code>; {t.records} signed
              record
              {t.records === 1 ? '' : 's'}.
            </Text>
          ) : (
            <Text size="sm">No security officer yet: make the first one below. Their key signs every later principal, role and policy.</Text>
          )}
          {t.problems.map((p) => (
            <Text key={p} size="sm" c="red">
              {p}
            </Text>
          ))}
        </Alert>
      )}

      {t && !t.bootstrapped && (
        <Card withBorder>
          <Stack>
            <Title order={4}>First security officer</Title>
            <TextInput label="Name" value={bootName} onChange={(e) => setBootName(e.currentTarget.value)} />
            <TokenKeyPicker value={bootKey} onChange={setBootKey} />
            <Button
              w="fit-content"
              disabled={!bootName || !bootKey}
              loading={bootstrap.running}
              onClick={async () => {
                if (bootKey && (await bootstrap.run({ name: bootName, ...bootKey }))) await refresh();
              }}
            >
              Sign the genesis record
            </Button>
          </Stack>
        </Card>
      )}

      <Card withBorder>
        <Stack>
          <Title order={4}>Principals</Title>
          <Table aria-label="Principals">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Signed by</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(principals.data ?? []).map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {p.roles.map((r) => (
                        <Badge key={r} variant="light">
                          {r}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Code>{p.keyFingerprint.slice(0, 16)}</Code>
                  </Table.Td>
                  <Table.Td>
                    {p.signedBy} {p.consistent ? null : <Badge color="red">not backed by the chain</Badge>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {t?.bootstrapped && (
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
                      await refresh();
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

      <Card withBorder>
        <Stack>
          <Title order={4}>Approval policies</Title>
          <Table aria-label="Approval policies">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Clusters</Table.Th>
                <Table.Th>Approvals</Table.Th>
                <Table.Th>Signed by</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(policies.data ?? []).map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    <Code>{p.selector || '(every cluster)'}</Code>
                  </Table.Td>
                  <Table.Td>
                    {p.requiredApprovals} × {p.approverRole}
                    {p.excludeRequester ? ', never the requester' : ''}
                  </Table.Td>
                  <Table.Td>
                    {p.signedBy} {p.consistent ? null : <Badge color="red">not backed by the chain</Badge>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {t?.bootstrapped && (
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
                    await refresh();
                  }
                }}
              >
                Save policy
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
