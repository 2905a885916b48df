// Loads a channel's value, with loading and error state and a refresh function.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput, ContractError } from '../../../shared/contract/index.ts';
import { useTransport } from './transport-context.ts';

export interface UseQueryResult<T> {
  data: T | undefined;
  error: ContractError | undefined;
  loading: boolean;
  refresh: () => Promise<void>;
}

export interface UseQueryOptions {
  /** False: do not call yet (e.g. an input that is not chosen). Default true. */
  enabled?: boolean;
}

export function useQuery<C extends ChannelName>(channel: C, input: ChannelInput<C>, options: UseQueryOptions = {}): UseQueryResult<ChannelOutput<C>> {
  const enabled = options.enabled ?? true;
  const transport = useTransport();
  const [data, setData] = useState<ChannelOutput<C>>();
  const [error, setError] = useState<ContractError>();
  const [loading, setLoading] = useState(enabled);
  const key = JSON.stringify(input);
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    const result = await transport.invoke(channel, JSON.parse(key) as ChannelInput<C>);
    if (mine !== generation.current) return;
    if (result.ok) {
      setData(result.value);
      setError(undefined);
    } else {
      setError(result.error);
    }
    setLoading(false);
  }, [transport, channel, key]);

  useEffect(() => {
    if (enabled) void refresh();
  }, [refresh, enabled]);

  return { data, error, loading, refresh };
}
