// The header's token status: which tokens are unlocked right now. It follows token.state
// events, so a lock by idle timeout or a removed token shows at once, with a notification.
import { Badge, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { useEvent } from '../hooks/use-event.ts';
import { useQuery } from '../hooks/use-query.ts';

const REASON: Record<string, string> = {
  idle: 'locked after being idle',
  removed: 'was removed and is locked',
  shutdown: 'was locked at shutdown',
};

export function TokenStatus() {
  const { data, refresh } = useQuery('hsm.tokens', {});
  useEvent('token.state', (event) => {
    void refresh();
    const why = REASON[event.reason];
    if (why) notifications.show({ color: event.reason === 'removed' ? 'red' : 'yellow', title: 'Token locked', message: `Token "${event.label}" ${why}.` });
  });
  const unlocked = (data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token?.state === 'unlocked' ? [s.token.label] : [])));
  if (unlocked.length === 0) {
    return (
      <Badge variant="light" color="gray" size="lg" leftSection={<IconLock size={14} aria-hidden />} data-testid="token-status">
        No token unlocked
      </Badge>
    );
  }
  return (
    <Tooltip label="Keys on these tokens can unwrap and sign on this workstation until they are locked.">
      <Badge variant="light" color="green" size="lg" leftSection={<IconLockOpen size={14} aria-hidden />} data-testid="token-status">
        Unlocked: {unlocked.join(', ')}
      </Badge>
    </Tooltip>
  );
}
