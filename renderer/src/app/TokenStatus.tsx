// The header's token status: one chip however many tokens are unlocked ("3 tokens unlocked ·
// first locks in 6 min"), opening a popover with each token, who unlocked it, its countdown
// and Lock. It follows token.state events, so a lock by idle timeout or a removed token shows
// at once, with a notification.
import { Button, Group, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconLock, IconLockOpen } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import type { TokenInfoView } from '../../../shared/contract/index.ts';
import { useAction } from '../hooks/use-action.ts';
import { useEvent } from '../hooks/use-event.ts';
import { useQuery } from '../hooks/use-query.ts';
import classes from './TokenStatus.module.css';

const REASON: Record<string, string> = {
  idle: 'locked after being idle',
  removed: 'was removed and is locked',
  shutdown: 'was locked at shutdown',
};

/** Time left until `at`, in words ("6 min", "40 s"), or null without a deadline. */
export function remaining(at: string | null, now: number): string | null {
  if (!at) return null;
  const seconds = Math.max(0, Math.round((Date.parse(at) - now) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min` : `${seconds} s`;
}

/** The chip's one line: which or how many tokens are unlocked, and the first deadline. */
export function tokenChipText(unlocked: Pick<TokenInfoView, 'label' | 'autoLockAt'>[], now: number): string {
  if (unlocked.length === 0) return 'No token unlocked';
  const deadlines = unlocked.flatMap((t) => (t.autoLockAt ? [t.autoLockAt] : [])).sort();
  const left = remaining(deadlines[0] ?? null, now);
  if (unlocked.length === 1) return `${unlocked[0]!.label} unlocked${left ? ` · locks in ${left}` : ''}`;
  return `${unlocked.length} tokens unlocked${left ? ` · first locks in ${left}` : ''}`;
}

function TokenRow({ token, now, onLocked }: { token: TokenInfoView; now: number; onLocked: () => void }) {
  const lock = useAction('hsm.logout');
  const left = remaining(token.autoLockAt, now);
  return (
    <Group justify="space-between" wrap="nowrap" gap="md" data-testid="unlocked-token" aria-label={`Token ${token.label}`} role="group">
      <Stack gap={0}>
        <Text size="sm" fw={600}>
          {token.label}
        </Text>
        <Text size="xs" c="dimmed">
          {token.unlockedBy ? `unlocked by ${token.unlockedBy}` : 'unlocked'}
          {left ? <span data-testid="auto-lock"> · locks in {left} if idle</span> : null}
        </Text>
      </Stack>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconLock size={14} aria-hidden />}
        loading={lock.running}
        aria-label={`Lock ${token.label}`}
        onClick={async () => {
          if (await lock.run({ tokenSerial: token.serial })) onLocked();
        }}
      >
        Lock
      </Button>
    </Group>
  );
}

export function TokenStatus() {
  const { data, refresh } = useQuery('hsm.tokens', {});
  const [now, setNow] = useState(() => Date.now());
  const [opened, setOpened] = useState(false);
  const dropdown = useRef<HTMLDivElement>(null);
  useEvent('token.state', (event) => {
    void refresh();
    const why = REASON[event.reason];
    if (why) notifications.show({ color: event.reason === 'removed' ? 'red' : 'yellow', title: 'Token locked', message: `Token "${event.label}" ${why}.` });
  });
  const unlocked = (data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token?.state === 'unlocked' ? [s.token] : [])));
  const anyUnlocked = unlocked.length > 0;
  // Tick once a second while something is unlocked; re-read the deadlines every 30 s because
  // using a token pushes its auto-lock further out.
  useEffect(() => {
    if (!anyUnlocked) return;
    let ticks = 0;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (++ticks % 30 === 0) void refresh();
    }, 1000);
    return () => clearInterval(timer);
  }, [anyUnlocked, refresh]);

  const text = tokenChipText(unlocked, now);
  if (!anyUnlocked) {
    return (
      <span className={classes.chip} data-tone="locked" data-testid="token-status">
        <IconLock size={14} aria-hidden />
        <span className={classes.text}>{text}</span>
      </span>
    );
  }
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" shadow="md" withArrow trapFocus returnFocus>
      <Popover.Target>
        <UnstyledButton
          className={classes.chip}
          data-tone="unlocked"
          data-testid="token-status"
          aria-haspopup="dialog"
          aria-expanded={opened}
          onClick={() => setOpened((o) => !o)}
          title="Keys on these tokens can unwrap and sign on this workstation until they are locked."
        >
          <IconLockOpen size={14} aria-hidden />
          <span className={classes.text}>{text}</span>
          <IconChevronDown size={14} aria-hidden />
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown ref={dropdown} aria-label="Unlocked tokens" data-testid="token-popover" miw={300}>
        <Stack gap="sm">
          <Text size="xs" c="dimmed">
            Keys on these tokens can unwrap and sign on this workstation until they are locked.
          </Text>
          {unlocked.map((t) => (
            <TokenRow
              key={t.serial}
              token={t}
              now={now}
              onLocked={() => {
                // The locked token's row goes away with its button: keep focus in the popover.
                dropdown.current?.focus();
                void refresh();
              }}
            />
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
