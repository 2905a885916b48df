// The vault as the signed chain sees it: whether it is signed, adopted or the unsigned demo,
// which recipients a security officer signed (and who), and the one-time adoption of an
// existing vault — its unsigned recipients and versions reviewed, then signed on a token.
import { Alert, Badge, Button, Card, Code, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import type { TrustStatus } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';

export interface SignedVaultCardProps {
  /** The chain's status as the Trust panel last read it: the card re-reads when it changes. */
  status: TrustStatus | undefined;
  /** The security officers of the chain (who may sign the adoption). */
  officers: string[];
  /** Called after the adoption was signed. */
  onChanged?: () => void;
}

export function SignedVaultCard({ status, officers, onChanged }: SignedVaultCardProps) {
  const recipients = useQuery('vault.recipients', {});
  const bootstrapped = status?.bootstrapped === true;
  const review = useQuery('rollout.adoptReview', {}, { enabled: bootstrapped });
  const records = status?.records ?? 0;
  const { refresh: refreshRecipients } = recipients;
  const { refresh: refreshReview } = review;
  useEffect(() => {
    void refreshRecipients();
    if (records > 0) void refreshReview();
  }, [records, refreshRecipients, refreshReview]);
  const adopt = useAction('rollout.adopt', { notifyErrors: false });
  const [signer, setSigner] = useState<string | null>(null);
  const t = status;
  const pending = review.data ? review.data.recipients.length + review.data.versions.length : 0;
  const locked = adopt.error?.code === 'TOKEN_LOCKED' || adopt.error?.code === 'TOKEN_ABSENT';

  const runAdopt = async () => {
    if (!signer) return;
    if (await adopt.run({ signer })) {
      notifications.show({ color: 'green', title: 'Vault adopted', message: `${signer} signed its recipients and versions.` });
      await Promise.all([recipients.refresh(), review.refresh()]);
      onChanged?.();
    }
  };

  return (
    <Card withBorder data-testid="signed-vault">
      <Stack>
        <Title order={4}>Recipients and versions</Title>
        {t?.mode === 'unsigned-demo' && (
          <Alert color="red" title="Unsigned demo — not a secured vault" data-testid="unsigned-demo">
            <Text size="sm">
              This vault runs as the single-user demo (TESSERA_UNSIGNED_DEMO=1): recipients and versions are not signed, and anyone who can write the database
              could add a recipient or forge a version. Make a first security officer above to end the demo, then adopt what the demo wrote.
            </Text>
          </Alert>
        )}
        {t?.mode === 'legacy' && (
          <Alert color="yellow" title="Not signed yet">
            <Text size="sm">
              Nothing in this vault is signed. Old versions can be revealed with a token, but nothing is written or provisioned until a security officer exists
              and adopts the vault.
            </Text>
          </Alert>
        )}
        {recipients.error && <ErrorAlert error={recipients.error} />}
        <Table aria-label="Signed recipients">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Recipient</Table.Th>
              <Table.Th>Fingerprint</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Signed by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(recipients.data ?? []).map((r) => (
              <Table.Tr key={r.fingerprint}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td>
                  <Code>{r.fingerprint.slice(0, 16)}…</Code>
                </Table.Td>
                <Table.Td>{r.status}</Table.Td>
                <Table.Td>
                  {r.signedBy ? (
                    <>
                      {r.signedBy} (record {r.recordSeq}) {r.consistent ? null : <Badge color="red">row differs from the signed record</Badge>}
                    </>
                  ) : (
                    <Badge color="gray">unsigned — grants nothing</Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>

        {bootstrapped && review.data && pending > 0 && (
          <Stack gap="xs" data-testid="adopt-review">
            <Text size="sm">
              {review.data.recipients.length} recipient(s) and {review.data.versions.length} version(s) are not signed. A security officer reviews them and
              signs them once; until then the old versions can be revealed but never provisioned. Needs the <b>security-officer</b> role: their token signs.
            </Text>
            {review.data.versions.length > 0 && (
              <Table aria-label="Versions to adopt">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>App</Table.Th>
                    <Table.Th>Secret</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Written by</Table.Th>
                    <Table.Th>Content digest</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {review.data.versions.slice(0, 50).map((v) => (
                    <Table.Tr key={v.versionId}>
                      <Table.Td>{v.app}</Table.Td>
                      <Table.Td>{v.secret}</Table.Td>
                      <Table.Td>v{v.number}</Table.Td>
                      <Table.Td>{v.createdBy}</Table.Td>
                      <Table.Td>
                        <Code>{v.contentDigest.slice(0, 16)}…</Code>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {review.data.recipients.some((r) => r.problem) && (
              <Alert color="red" title="A recipient cannot be adopted">
                {review.data.recipients
                  .filter((r) => r.problem)
                  .map((r) => (
                    <Text key={r.fingerprint} size="sm">
                      {r.label}: {r.problem}
                    </Text>
                  ))}
              </Alert>
            )}
            {adopt.error && !locked && <ErrorAlert error={adopt.error} title="Not adopted" />}
            {locked && (
              <TokenLoginPrompt
                reason={`Adopting needs the security-officer role: ${signer ?? 'the security officer'}'s token signs the review.`}
                onUnlocked={() => void runAdopt()}
              />
            )}
            <Group align="flex-end">
              <Select label="Adoption signed by (security officer)" data={officers} value={signer} onChange={setSigner} w={300} />
              <Button disabled={!signer} loading={adopt.running} onClick={() => void runAdopt()}>
                Sign the adoption
              </Button>
            </Group>
          </Stack>
        )}
        {bootstrapped && review.data && pending === 0 && (
          <Text size="sm" c="dimmed">
            Every recipient and version is signed.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
