// Calls a channel on demand (a button, a form); shows the backend's sentence on failure.
import { notifications } from '@mantine/notifications';
import { useCallback, useState } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput, ContractError } from '../../../shared/contract/index.ts';
import { useTransport } from './transport-context.ts';

export interface UseActionResult<C extends ChannelName> {
  run: (input: ChannelInput<C>) => Promise<ChannelOutput<C> | undefined>;
  running: boolean;
  error: ContractError | undefined;
}

export function useAction<C extends ChannelName>(channel: C, options: { notifyErrors?: boolean } = {}): UseActionResult<C> {
  const transport = useTransport();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ContractError>();
  const notifyErrors = options.notifyErrors ?? true;
  const run = useCallback(
    async (input: ChannelInput<C>) => {
      setRunning(true);
      try {
        const result = await transport.invoke(channel, input);
        if (result.ok) {
          setError(undefined);
          return result.value;
        }
        setError(result.error);
        if (notifyErrors) notifications.show({ color: 'red', title: 'Not done', message: result.error.message });
        return undefined;
      } finally {
        setRunning(false);
      }
    },
    [transport, channel, notifyErrors],
  );
  return { run, running, error };
}
