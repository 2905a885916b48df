// Tokens in their slots (flags, PIN counters, lock state), unlock/lock, the keys on an unlocked
// token and key creation. The PIN field never echoes and is cleared as soon as it is sent.
import { Badge, Button, Card, Code, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconLock, IconLockOpen, IconPlus, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { KEY_TYPES, type KeyType, type TokenInfoView, type TokenKeyView } from '../../../../shared/contract/index.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { QueryState } from '../../components/QueryState/index.ts';
import { UnlockDialog } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';

function TokenFlags({ token }: { token: TokenInfoView }) {
  const f = token.flags;
  return (
    <Group gap={4}>
      {f.protectedAuthenticationPath && <Badge variant="light">PIN pad</Badge>}
      {f.userPinCountLow && (
        <Badge color="yellow" variant="light">
          PIN tries low
        </Badge>
      )}
      {f.userPinFinalTry && <Badge color="orange">last PIN try</Badge>}
      {f.userPinLocked && <Badge color="red">PIN locked</Badge>}
      {!f.tokenInitialized && <Badge color="gray">not initialised</Badge>}
      {token.pinRemembered && (
        <Badge color="grape" variant="light">
          PIN in keychain
        </Badge>
      )}
    </Group>
  );
}

const KEY_COLUMNS: DataColumn<TokenKeyView>[] = [
  { header: 'Label', cell: (k) => k.label },
  { header: 'Type', cell: (k) => k.curve ?? `${k.type.toUpperCase()} ${k.size ?? ''}` },
  {
    header: 'Can',
    cell: (k) =>
      [
        ...Object.entries(k.capabilities)
          .filter(([, v]) => v)
          .map(([n]) => n),
        ...(k.alwaysAuthenticate ? ['PIN at every use'] : []),
      ].join(', '),
  },
  { header: 'Fingerprint', cell: (k) => <Code>{k.fingerprint.slice(0, 16)}…</Code> },
];

/** Keys on an unlocked token, and a form to create one. */
function TokenKeys({ token }: { token: TokenInfoView }) {
  const keys = useQuery('hsm.keys', { tokenSerial: token.serial });
  const create = useAction('hsm.generateKey');
  // Start on a type this token can create and use; the list greys out the rest (read from its mechanisms).
  const byType = (t: KeyType) => token.keyTypes.find((c) => c.type === t);
  const usable = (['ec-p256', ...KEY_TYPES] as KeyType[]).map(byType).find((c) => c?.canCreate && c.recipient) ?? token.keyTypes.find((c) => c.canCreate);
  const [type, setType] = useState<KeyType>(usable?.type ?? 'ec-p256');
  const [label, setLabel] = useState('');
  const capability = token.keyTypes.find((c) => c.type === type);
  return (
    <Stack gap="xs" data-testid={`token-keys-${token.label}`}>
      <Title order={5}>Keys on "{token.label}"</Title>
      <QueryState query={keys} loadingLabel="Loading keys" loaderSize="sm" empty={<Text size="sm">No usable keys yet.</Text>}>
        {(data) => <DataTable label={`Keys on ${token.label}`} columns={KEY_COLUMNS} rows={data} rowKey={(k) => k.keyId} />}
      </QueryState>
      <Group align="flex-end">
        <Select
          label="New key type"
          data={token.keyTypes.length === 0 ? [...KEY_TYPES] : token.keyTypes.map((c) => ({ value: c.type, label: c.type, disabled: !c.canCreate }))}
          value={type}
          onChange={(v) => v && setType(v as KeyType)}
          allowDeselect={false}
          w={140}
        />
        <TextInput label="Label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} w={200} />
        <Button
          leftSection={<IconPlus size={16} aria-hidden />}
          loading={create.running}
          disabled={label.trim() === '' || capability?.canCreate === false}
          onClick={async () => {
            if (await create.run({ tokenSerial: token.serial, type, label: label.trim() })) {
              setLabel('');
              await keys.refresh();
            }
          }}
        >
          Create key
        </Button>
      </Group>
      {capability && (
        <Text size="sm" c={capability.canCreate ? (capability.recipient ? 'dimmed' : 'orange') : 'red'} data-testid="key-type-capability">
          {capability.reason}
        </Text>
      )}
    </Stack>
  );
}

export function TokensCard() {
  const { data, error, loading, refresh } = useQuery('hsm.tokens', {});
  const logout = useAction('hsm.logout');
  const [unlocking, setUnlocking] = useState<TokenInfoView | null>(null);
  useEvent('token.state', () => void refresh());
  const tokens = (data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token ? [{ module: m.path, slot: s, token: s.token }] : [])));
  const columns: DataColumn<TokenInfoView>[] = [
    { header: 'Label', cell: (token) => token.label },
    {
      header: 'Model',
      cell: (token) => (
        <>
          {token.manufacturer} {token.model}
        </>
      ),
    },
    { header: 'Serial', cell: (token) => <Code>{token.serial}</Code> },
    { header: 'Firmware', cell: (token) => token.firmwareVersion },
    { header: 'Flags', cell: (token) => <TokenFlags token={token} /> },
    {
      header: 'State',
      cell: (token) => (
        <Badge color={token.state === 'unlocked' ? 'green' : token.state === 'absent' ? 'red' : 'gray'} variant="light">
          {token.state}
        </Badge>
      ),
    },
    {
      header: null,
      cell: (token) =>
        token.state === 'unlocked' ? (
          <Button
            size="xs"
            variant="default"
            leftSection={<IconLock size={14} aria-hidden />}
            onClick={async () => {
              await logout.run({ tokenSerial: token.serial });
              await refresh();
            }}
          >
            Lock
          </Button>
        ) : (
          <Button
            size="xs"
            leftSection={<IconLockOpen size={14} aria-hidden />}
            disabled={token.state === 'absent' || token.flags.userPinLocked || !token.flags.tokenInitialized}
            onClick={() => setUnlocking(token)}
          >
            Unlock
          </Button>
        ),
    },
  ];
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Tokens</Title>
        {data
          ?.filter((m) => m.problem)
          .map((m) => (
            <Text key={m.path} c="red" size="sm">
              {m.path}: {m.problem}
            </Text>
          ))}
        <QueryState
          query={{ data: data === undefined ? undefined : tokens, error, loading }}
          loadingLabel="Looking for tokens"
          empty={
            <EmptyState icon={<IconLock />} title="No tokens present">
              Insert a token, or add its PKCS#11 module in Settings.
            </EmptyState>
          }
        >
          {(rows) => <DataTable label="Tokens" columns={columns} rows={rows.map((r) => r.token)} rowKey={(token) => token.serial} />}
        </QueryState>
        {tokens
          .filter(({ token }) => token.state === 'unlocked')
          .map(({ token }) => (
            <TokenKeys key={token.serial} token={token} />
          ))}
        <Button w="fit-content" variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void refresh()}>
          Look again
        </Button>
      </Stack>
      {unlocking && (
        <UnlockDialog
          token={unlocking}
          onClose={() => {
            setUnlocking(null);
            void refresh();
          }}
        />
      )}
    </Card>
  );
}
