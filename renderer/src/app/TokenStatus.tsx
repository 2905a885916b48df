// The header's token status. The token layer fills this in; until a token is unlocked it
// says so plainly.
import { Badge } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

export function TokenStatus() {
  return (
    <Badge variant="light" color="gray" size="lg" leftSection={<IconLock size={14} aria-hidden />} data-testid="token-status">
      No token unlocked
    </Badge>
  );
}
