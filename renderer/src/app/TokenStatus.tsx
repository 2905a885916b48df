// The header's token status: which tokens are unlocked and how long until they lock
// themselves when idle. It follows token.state events, so a lock by idle timeout or a removed
// token shows at once, with a notification.
import { Badge, Group, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useEvent } from '../hooks/use-event.ts';
import { useQuery } from '../hooks/use-query.ts';

const REASON: Record<string, string> = {
  idle: 'locked after being idle',
  removed: 'was removed and is locked',
  shutdown: 'was locked at shutdown',
};

function remaining(at: string | null, now: number): string | null {
  if (!at) return null;
  const seconds = Math.max(0, Math.round((Date.parse(at) - now) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min` : `${seconds} s`;
}

export function TokenStatus() {
  const { data, refresh } = useQuery('hsm.tokens', {});
  const [now, setNow] = useState(() => Date.now());
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

  if (!anyUnlocked) {
    return (
      <Badge variant="light" color="gray" size="lg" leftSection={<IconLock size={14} aria-hidden />} data-testid="token-status">
        No token unlocked
      </Badge>
    );
  }
  return (
    <Group gap={6} data-testid="token-status-group">
      <Tooltip label="Keys on these tokens can unwrap and sign on this workstation until they are locked.">
        <Badge variant="light" color="green" size="lg" leftSection={<IconLockOpen size={14} aria-hidden />} data-testid="token-status">
          Unlocked: {unlocked.map((t) => (t.unlockedBy ? `${t.label} (by ${t.unlockedBy})` : t.label)).join(', ')}
        </Badge>
      </Tooltip>
      {unlocked.map((t) => {
        const left = remaining(t.autoLockAt, now);
        return left === null ? null : (
          <Badge key={t.serial} variant="outline" color="gray" size="lg" data-testid="auto-lock" aria-label={`${t.label} locks itself in ${left} if idle`}>
            locks in {left}
          </Badge>
        );
      })}
    </Group>
  );
}
