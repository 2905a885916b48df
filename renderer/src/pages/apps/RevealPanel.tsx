// Reveal: decrypts a version on an unlocked token (the backend audits it) and shows the values
// masked by default, each shown on request, all dropped after 30 seconds with a visible
// countdown, on "Hide now", when a token locks, or when the panel goes away.
import { ActionIcon, Button, Code, CopyButton, Group, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconEye, IconEyeOff, IconLockOpen } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { RevealedVersion, SecretView } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import { useEvent } from '../../hooks/use-event.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';

/** Who reveals: the principal this workstation acts as, whose role the backend checks and whose token signs. */
const actingAs = () => {
  const as = currentActingAs();
  return as ? { as } : {};
};

/** How long revealed values stay in the window. */
export const REVEAL_SECONDS = 30;
const MASK = '••••••••••••';

export interface RevealPanelProps {
  /** The app's name. */
  app: string;
  /** The secret whose latest version is revealed. */
  secret: SecretView;
}

export function RevealPanel({ app, secret }: RevealPanelProps) {
  const tokens = useQuery('hsm.tokens', {});
  const reveal = useAction('vault.reveal', { notifyErrors: false });
  const [revealed, setRevealed] = useState<RevealedVersion | null>(null);
  const [shown, setShown] = useState<ReadonlySet<string>>(new Set());
  const [remaining, setRemaining] = useState(REVEAL_SECONDS);
  const [needLogin, setNeedLogin] = useState(false);

  const hide = () => {
    setRevealed(null);
    setShown(new Set());
  };

  useEvent('token.state', (e) => {
    void tokens.refresh();
    if (e.state !== 'unlocked') hide();
  });

  useEffect(() => {
    if (!revealed) return;
    const deadline = Date.now() + REVEAL_SECONDS * 1000;
    setRemaining(REVEAL_SECONDS);
    const tick = setInterval(() => setRemaining(Math.max(0, Math.ceil((deadline - Date.now()) / 1000))), 1000);
    const timer = setTimeout(() => {
      setRevealed(null);
      setShown(new Set());
    }, REVEAL_SECONDS * 1000);
    return () => {
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, [revealed]);

  const anyUnlocked = (tokens.data ?? []).some((m) => m.slots.some((s) => s.token?.state === 'unlocked'));

  const run = async () => {
    if (!anyUnlocked) {
      setNeedLogin(true);
      return;
    }
    const result = await reveal.run({ app, secret: secret.name, ...actingAs() });
    if (result) {
      setNeedLogin(false);
      setShown(new Set());
      setRevealed(result);
    } else {
      setNeedLogin(true);
    }
  };

  const lockedError = reveal.error && (reveal.error.code === 'TOKEN_LOCKED' || reveal.error.code === 'TOKEN_ABSENT');
  if (!secret.latestVersion) return null;

  return (
    <Stack gap="xs" data-testid="reveal-panel">
      {reveal.error && !lockedError && <ErrorAlert error={reveal.error} title="Not revealed" />}
      {needLogin && !revealed && (lockedError || !anyUnlocked) && (
        <TokenLoginPrompt
          reason={
            lockedError
              ? `${reveal.error?.message ?? ''} Revealing needs app-owner of ${app} or security-officer (the acting principal's token signs the request), decrypts on the token that holds a recipient key, and is recorded in the audit log.`
              : `Revealing needs app-owner of ${app} or security-officer (the acting principal's token signs the request), decrypts on the token that holds a recipient key, and is recorded in the audit log. Log in to the token first.`
          }
          onUnlocked={async () => {
            await tokens.refresh();
            const result = await reveal.run({ app, secret: secret.name, ...actingAs() });
            if (result) {
              setNeedLogin(false);
              setRevealed(result);
            }
          }}
        />
      )}
      {!revealed && (
        <Button w="fit-content" variant="light" leftSection={<IconLockOpen size={16} aria-hidden />} loading={reveal.running} onClick={() => void run()}>
          Reveal values of v{secret.latestVersion.number}
        </Button>
      )}
      {revealed && (
        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              Values of {revealed.secret} v{revealed.version} (this reveal is audited)
            </Text>
            <Group gap="xs">
              <Text size="sm" data-testid="reveal-countdown" aria-live="off">
                Hidden again in {remaining} s
              </Text>
              <Button size="xs" variant="default" leftSection={<IconEyeOff size={14} aria-hidden />} onClick={hide}>
                Hide now
              </Button>
            </Group>
          </Group>
          <Progress value={(100 * remaining) / REVEAL_SECONDS} size="sm" aria-label="Time until the values are hidden" />
          <Table aria-label={`Revealed values of ${revealed.secret}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key</Table.Th>
                <Table.Th>Value</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {revealed.values.map((v) => {
                const visible = shown.has(v.name);
                return (
                  <Table.Tr key={v.name}>
                    <Table.Td>
                      <Code>{v.name}</Code>
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>
                      {visible ? <Code data-testid="revealed-value">{v.value}</Code> : <Text aria-label="hidden value">{MASK}</Text>}
                      {v.encoding === 'base64' && (
                        <Text size="xs" c="dimmed">
                          binary, shown as base64
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Tooltip label={visible ? 'Mask' : 'Show'}>
                          <ActionIcon
                            variant="default"
                            aria-label={`${visible ? 'Mask' : 'Show'} value of ${v.name}`}
                            aria-pressed={visible}
                            onClick={() =>
                              setShown((s) => {
                                const next = new Set(s);
                                if (visible) next.delete(v.name);
                                else next.add(v.name);
                                return next;
                              })
                            }
                          >
                            {visible ? <IconEyeOff size={16} aria-hidden /> : <IconEye size={16} aria-hidden />}
                          </ActionIcon>
                        </Tooltip>
                        <CopyButton value={v.value} timeout={1500}>
                          {({ copied, copy }) => (
                            <Tooltip label={copied ? 'Copied' : 'Copy'}>
                              <ActionIcon variant="default" aria-label={`Copy value of ${v.name}`} onClick={copy}>
                                {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                              </ActionIcon>
                            </Tooltip>
                          )}
                        </CopyButton>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
