// Calls the headless host's API the way the renderer does, for test set-up and checks.
import type { ChannelInput, ChannelName, ChannelOutput, Result } from '../../shared/contract/index.ts';
import type { ServedTessera } from './serve.ts';

export async function rpc<C extends ChannelName>(served: ServedTessera, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const response = await fetch(`${served.origin}/rpc/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const result = (await response.json()) as Result<ChannelOutput<C>>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}
