// Recipients: the keys every new data key is wrapped for. Add one from a key on an unlocked
// token or from a pasted PEM public key, retire one, and rewrap existing versions to the active
// set with live progress.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  Modal,
  Progress,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowsExchange, IconKey, IconPlus, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import type { RecipientView, RewrapProgressEvent, RewrapStatus, TokenInfoView } from '../../../../shared/contract/index.ts';
import { displayNameRule } from '../../../../shared/domain/names.ts';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { QueryState } from '../../components/QueryState/index.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';

/** Recipient changes are signed by a security officer: the principal this workstation acts as (Rollouts → Acting as). */
const signedBy = () => {
  const signer = currentActingAs();
  return signer ? { signer } : {};
};

const KIND_LABEL: Record<RecipientView['kind'], string> = { 'rsa-oaep': 'RSA-OAEP', 'ecdh-es': 'ECDH-ES', 'aes-kw': 'AES key wrap' };

/** Keys on one unlocked token that can receive data keys, and the button that adds one. */
function FromTokenKey({ token, onAdded }: { token: TokenInfoView; onAdded: () => void }) {
  const keys = useQuery('hsm.keys', { tokenSerial: token.serial });
  const add = useAction('vault.addRecipient');
  const [keyId, setKeyId] = useState<string | null>(null);
  const usable = (keys.data ?? []).filter((k) => k.capabilities.unwrap || k.capabilities.decrypt || k.capabilities.derive);
  return (
    <Stack gap={4}>
      {keys.error && <ErrorAlert error={keys.error} />}
      <Group align="flex-end">
        <Select
          label={`Key on "${token.label}"`}
          placeholder={keys.data && usable.length === 0 ? 'No key can unwrap yet: create one in Tokens above' : 'Choose a key'}
          data={usable.map((k) => ({ value: k.keyId, label: `${k.label} — ${k.curve ?? `${k.type.toUpperCase()} ${k.size ?? ''}`.trim()}` }))}
          value={keyId}
          onChange={setKeyId}
          onDropdownOpen={() => void keys.refresh()}
          rightSection={keys.loading ? <Loader size="xs" aria-label="Loading keys" /> : undefined}
          nothingFoundMessage="No key on this token can unwrap yet"
          w={380}
        />
        <Button
          leftSection={<IconPlus size={16} aria-hidden />}
          disabled={!keyId}
          loading={add.running}
          onClick={async () => {
            if (!keyId) return;
            const added = await add.run({ tokenSerial: token.serial, keyId, ...signedBy() });
            if (added) {
              notifications.show({ color: 'green', title: 'Recipient added', message: `New versions are now wrapped for "${added.label}".` });
              setKeyId(null);
              onAdded();
            }
          }}
        >
          Add as recipient
        </Button>
      </Group>
    </Stack>
  );
}

/** A public key pasted as PEM: new versions can be encrypted for it without its token present. */
function FromPem({ onAdded }: { onAdded: () => void }) {
  const add = useAction('vault.addRecipient', { notifyErrors: false });
  const [pem, setPem] = useState('');
  const [label, setLabel] = useState('');
  const [oaepHash, setOaepHash] = useState<'sha256' | 'sha1'>('sha256');
  const labelError = label === '' ? null : displayNameRule(label);
  const pemError = pem === '' || /-----BEGIN PUBLIC KEY-----/u.test(pem) ? null : 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)';
  return (
    <Stack gap="xs">
      {add.error && <ErrorAlert error={add.error} title="Recipient not added" />}
      <Textarea
        label="Public key (PEM)"
        autosize
        minRows={3}
        maxRows={8}
        value={pem}
        onChange={(e) => setPem(e.currentTarget.value)}
        error={pemError ? `Public key ${pemError}` : undefined}
        styles={{ input: { fontFamily: 'monospace' } }}
      />
      <Group align="flex-end">
        <TextInput
          label="Recipient label"
          value={label}
          onChange={(e) => setLabel(e.currentTarget.value)}
          error={labelError ? `Label ${labelError}` : undefined}
          w={260}
        />
        <Select
          label="RSA-OAEP hash"
          description="SHA-1 only for tokens without SHA-256 OAEP"
          data={[
            { value: 'sha256', label: 'SHA-256' },
            { value: 'sha1', label: 'SHA-1' },
          ]}
          value={oaepHash}
          onChange={(v) => v && setOaepHash(v as 'sha256' | 'sha1')}
          allowDeselect={false}
          w={200}
        />
        <Button
          leftSection={<IconPlus size={16} aria-hidden />}
          disabled={pem.trim() === '' || label.trim() === '' || labelError !== null || pemError !== null}
          loading={add.running}
          onClick={async () => {
            const added = await add.run({ publicKeyPem: pem.trim(), label: label.trim(), oaepHash, ...signedBy() });
            if (added) {
              setPem('');
              setLabel('');
              notifications.show({ color: 'green', title: 'Recipient added', message: `New versions are now wrapped for "${added.label}".` });
              onAdded();
            }
          }}
        >
          Add public key
        </Button>
      </Group>
    </Stack>
  );
}

/** Rewrap status, the button that runs it (asking for a token login in place), and its progress. */
function Rewrap({ status, onDone }: { status: RewrapStatus | undefined; onDone: () => Promise<void> }) {
  const rewrap = useAction('vault.rewrap', { notifyErrors: false });
  const [progress, setProgress] = useState<RewrapProgressEvent | null>(null);
  useEvent('vault.rewrap.progress', setProgress);
  const run = async () => {
    setProgress(null);
    const as = currentActingAs();
    const result = await rewrap.run(as ? { as } : {});
    if (result)
      notifications.show({ color: 'green', title: 'Rewrapped', message: `${result.rewrapped} version(s) now wrapped for exactly the active recipients.` });
    await onDone();
  };
  return (
    <Stack gap="xs">
      <Title order={5}>Rewrap</Title>
      {status && (
        <Text size="sm" data-testid="rewrap-status">
          {status.pending === 0
            ? `All ${status.versions} version(s) are wrapped for exactly the active recipients.`
            : `${status.pending} of ${status.versions} version(s) are not yet wrapped for exactly the active recipients.`}
        </Text>
      )}
      {rewrap.error && rewrap.error.code !== 'TOKEN_LOCKED' && <ErrorAlert error={rewrap.error} title="Rewrap stopped" />}
      {rewrap.error?.code === 'TOKEN_LOCKED' && (
        <TokenLoginPrompt
          reason={`${rewrap.error.message} Rewrapping unwraps each data key once, on the token that holds a current recipient key.`}
          onUnlocked={() => void run()}
        />
      )}
      {(rewrap.running || progress) && (
        <Stack gap={4}>
          <Progress value={progress ? (100 * progress.done) / Math.max(1, progress.total) : 0} aria-label="Rewrap progress" animated={rewrap.running} />
          {progress && (
            <Text size="xs" c="dimmed" aria-live="polite">
              {progress.done} / {progress.total} — {progress.app}/{progress.secret} v{progress.version}
            </Text>
          )}
        </Stack>
      )}
      <Button
        w="fit-content"
        variant="default"
        leftSection={<IconArrowsExchange size={16} aria-hidden />}
        loading={rewrap.running}
        disabled={status?.pending === 0}
        onClick={() => void run()}
      >
        Rewrap now
      </Button>
    </Stack>
  );
}

export function RecipientsCard() {
  const recipients = useQuery('vault.recipients', {});
  const tokens = useQuery('hsm.tokens', {});
  const retire = useAction('vault.retireRecipient');
  const [mode, setMode] = useState<'token' | 'pem'>('token');
  const [retiring, setRetiring] = useState<RecipientView | null>(null);
  const rewrapStatus = useQuery('vault.rewrapStatus', {});
  useEvent('token.state', () => void tokens.refresh());
  const unlocked = (tokens.data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token?.state === 'unlocked' ? [s.token] : [])));
  const active = (recipients.data ?? []).filter((r) => r.status === 'active');
  const columns: DataColumn<RecipientView>[] = [
    { header: 'Label', cell: (r) => r.label },
    {
      header: 'Kind',
      cell: (r) => (
        <>
          {KIND_LABEL[r.kind]}
          {r.curve ? ` ${r.curve}` : ''}
          {r.oaepHash ? ` (${r.oaepHash.toUpperCase()})` : ''}
        </>
      ),
    },
    { header: 'Where', cell: (r) => (r.tokenSerial ? `token ${r.tokenSerial}` : 'public key (PEM)') },
    { header: 'Fingerprint', cell: (r) => <Code title={r.fingerprint}>{r.fingerprint.slice(0, 16)}…</Code> },
    { header: 'Versions', cell: (r) => r.versionsWrapped },
    {
      header: 'Added',
      cell: (r) => (
        <>
          <Text size="sm">{new Date(r.addedAt).toLocaleString()}</Text>
          <Text size="xs" c="dimmed">
            by {r.addedBy}
          </Text>
        </>
      ),
    },
    {
      header: 'Status',
      cell: (r) => (
        <Badge color={r.status === 'active' ? 'green' : 'gray'} variant="light">
          {r.status}
        </Badge>
      ),
    },
    {
      header: null,
      cell: (r) =>
        r.status === 'active' && (
          <Button size="xs" variant="default" color="red" onClick={() => setRetiring(r)} aria-label={`Retire recipient ${r.label}`}>
            Retire
          </Button>
        ),
    },
  ];
  const changed = async () => {
    await Promise.all([recipients.refresh(), rewrapStatus.refresh()]);
  };
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Recipients</Title>
        <Text size="sm" c="dimmed">
          Every new secret version's data key is wrapped for each active recipient. Add a second recipient on a backup token so a lost token loses nothing.
        </Text>
        <QueryState query={recipients} loadingLabel="Loading recipients" isEmpty={() => false}>
          {(list) => (
            <>
              {active.length === 0 && (
                <EmptyState icon={<IconUsers />} title="No recipients yet">
                  Unlock a token above, create a key on it, and add it here as a recipient. Until then no secret version can be written.
                </EmptyState>
              )}
              {list.length > 0 && <DataTable label="Recipients" columns={columns} rows={list} rowKey={(r) => r.fingerprint} />}
            </>
          )}
        </QueryState>
        <Title order={5}>Add a recipient</Title>
        <SegmentedControl
          aria-label="Add a recipient from"
          w="fit-content"
          value={mode}
          onChange={(v) => setMode(v as 'token' | 'pem')}
          data={[
            { value: 'token', label: 'Key on a token' },
            { value: 'pem', label: 'Public key (PEM)' },
          ]}
        />
        {mode === 'token' && unlocked.length === 0 && (
          <Alert color="gray" icon={<IconKey aria-hidden />}>
            Unlock a token in Tokens above to choose one of its keys.
          </Alert>
        )}
        {mode === 'token' && unlocked.map((t) => <FromTokenKey key={t.serial} token={t} onAdded={() => void changed()} />)}
        {mode === 'pem' && <FromPem onAdded={() => void changed()} />}
        <Rewrap status={rewrapStatus.data} onDone={changed} />
      </Stack>
      {retiring && (
        <Modal opened onClose={() => setRetiring(null)} title={`Retire recipient "${retiring.label}"?`}>
          <Stack>
            <Text size="sm">New versions stop being wrapped for this key. Existing versions keep it until you rewrap them.</Text>
            {active.length <= 1 && (
              <Alert color="red" title="This is the last active recipient">
                Without an active recipient no new version can be written.
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRetiring(null)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={retire.running}
                onClick={async () => {
                  if (await retire.run({ fingerprint: retiring.fingerprint, ...signedBy() })) {
                    setRetiring(null);
                    await changed();
                  }
                }}
              >
                Retire
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Card>
  );
}
