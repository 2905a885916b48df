// In-place login: where an action needs an unlocked token (reveal, rewrap), this asks for one
// right there instead of sending the user to Keys & tokens.
import { Alert, Loader, Select, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import type { TokenInfoView } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../ErrorAlert.tsx';
import { useQuery } from '../../hooks/use-query.ts';
import { UnlockForm } from './UnlockForm.tsx';

export interface TokenLoginPromptProps {
  /** Why a token is needed, in one sentence ("Log in to a token to reveal these values."). */
  reason: string;
  /** Called once a token is unlocked. */
  onUnlocked: (token: TokenInfoView) => void;
  /** Offer only these tokens (by serial), e.g. those holding a recipient key; all when absent. */
  serials?: string[];
}

/** Lists the locked tokens and logs in to the chosen one. */
export function TokenLoginPrompt({ reason, onUnlocked, serials }: TokenLoginPromptProps) {
  const { data, error, loading } = useQuery('hsm.tokens', {});
  const tokens = (data ?? [])
    // Locked tokens, and unlocked ones waiting for the PIN to approve one operation (a key with CKA_ALWAYS_AUTHENTICATE).
    .flatMap((m) => m.slots.flatMap((s) => (s.token && (s.token.state === 'locked' || s.token.operationPinNeeded) ? [s.token] : [])))
    .filter((t) => !serials || serials.length === 0 || serials.includes(t.serial))
    .filter((t) => t.flags.tokenInitialized && !t.flags.userPinLocked);
  const [chosen, setChosen] = useState<string | null>(null);
  const token = tokens.find((t) => t.serial === chosen) ?? tokens[0];
  return (
    <Alert color="yellow" icon={<IconLock aria-hidden />} title="Token login needed" data-testid="token-login-prompt">
      <Stack gap="sm">
        <Text size="sm">{reason}</Text>
        {error && <ErrorAlert error={error} />}
        {loading && !data && <Loader size="sm" aria-label="Looking for tokens" />}
        {data && tokens.length === 0 && (
          <Text size="sm">No locked token is present. Insert the token that holds a recipient key, or add its module in Settings.</Text>
        )}
        {tokens.length > 1 && (
          <Select
            label="Token"
            data={tokens.map((t) => ({ value: t.serial, label: `${t.label} (${t.serial})` }))}
            value={token?.serial ?? null}
            onChange={setChosen}
            allowDeselect={false}
          />
        )}
        {tokens.length === 1 && token && (
          <Text size="sm">
            Token: <b>{token.label}</b> ({token.serial})
          </Text>
        )}
        {token && <UnlockForm key={token.serial} token={token} onUnlocked={onUnlocked} autoFocus />}
      </Stack>
    </Alert>
  );
}
