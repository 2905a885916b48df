// The PIN form shared by the unlock dialog and the in-place login prompt. The PIN field never
// echoes and is cleared as soon as it is sent; a wrong PIN shows the token's sentence.
import { Button, Checkbox, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { IconLockOpen } from '@tabler/icons-react';
import { useState } from 'react';
import type { TokenInfoView } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';

export interface UnlockFormProps {
  /** The token to unlock. */
  token: TokenInfoView;
  /** Called with the unlocked token once the login succeeded. */
  onUnlocked: (token: TokenInfoView) => void;
  /** Shows a Cancel button that calls this. */
  onCancel?: () => void;
  /** Focus the PIN field when the form appears. */
  autoFocus?: boolean;
}

/** PIN (or PIN pad) login for one token. */
export function UnlockForm({ token, onUnlocked, onCancel, autoFocus = false }: UnlockFormProps) {
  const [pin, setPin] = useState('');
  const [remember, setRemember] = useState(false);
  const login = useAction('hsm.login', { notifyErrors: false });
  const pinPad = token.flags.protectedAuthenticationPath;
  const submit = async () => {
    const value = pin;
    setPin('');
    const done = await login.run(value === '' ? { tokenSerial: token.serial, remember } : { tokenSerial: token.serial, pin: value, remember });
    if (done) onUnlocked(done);
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Stack>
        {login.error && <ErrorAlert error={login.error} title="Not unlocked" />}
        {pinPad ? <Text size="sm">This token has a PIN pad: leave the PIN empty and enter it on the device.</Text> : null}
        <PasswordInput
          label="PIN"
          autoComplete="off"
          value={pin}
          onChange={(e) => setPin(e.currentTarget.value)}
          data-autofocus={autoFocus || undefined}
          autoFocus={autoFocus}
          visibilityToggleButtonProps={{ hidden: true }}
        />
        <Checkbox label="Remember the PIN in the OS keychain" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={login.running} disabled={!pinPad && pin === ''} leftSection={<IconLockOpen size={16} aria-hidden />}>
            Unlock
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
