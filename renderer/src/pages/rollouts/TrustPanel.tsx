// Who may approve what: the signed chain of principals, roles and policies, walked back to the
// first security officer whose key fingerprint is pinned outside the database. Every change
// here is signed by a security officer's token key.
import { Alert, Button, Card, Code, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { PoliciesCard } from './PoliciesCard.tsx';
import { PrincipalsCard } from './PrincipalsCard.tsx';
import { TokenKeyPicker } from './TokenKeyPicker.tsx';
import { SignedVaultCard } from './SignedVaultCard.tsx';

export interface TrustPanelProps {
  /** Called after a principal or policy changed, so other views can re-read them. */
  onChanged?: () => void;
}

export function TrustPanel({ onChanged }: TrustPanelProps) {
  const trust = useQuery('rollout.trust', {});
  const principals = useQuery('rollout.principals', {});
  const policies = useQuery('rollout.policies', {});
  const bootstrap = useAction('rollout.bootstrap');
  const refresh = async () => {
    await Promise.all([trust.refresh(), principals.refresh(), policies.refresh()]);
    onChanged?.();
  };

  const [bootName, setBootName] = useState('');
  const [bootKey, setBootKey] = useState<{ tokenSerial: string; keyId: string } | null>(null);

  const officers = (principals.data ?? []).filter((p) => p.roles.includes('security-officer')).map((p) => p.name);
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

      <PrincipalsCard principals={principals.data ?? []} bootstrapped={t?.bootstrapped ?? false} officers={officers} onChanged={refresh} />
      <PoliciesCard policies={policies.data ?? []} bootstrapped={t?.bootstrapped ?? false} officers={officers} onChanged={refresh} />
      <SignedVaultCard status={t} officers={officers} onChanged={() => void refresh()} />
    </Stack>
  );
}
