// Every channel, declared once. Areas add their map here.
import type { z } from 'zod';
import type { ChannelDef } from './channel.ts';
import { appChannels } from './areas/app.ts';
import { hsmChannels } from './areas/hsm.ts';
import { kubeChannels } from './areas/kube.ts';
import { vaultChannels } from './areas/vault.ts';
import { rolloutChannels } from './areas/rollout.ts';

export const channels = {
  ...appChannels,
  ...kubeChannels,
  ...hsmChannels,
  ...vaultChannels,
  ...rolloutChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = Channels[C] extends ChannelDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInput<C extends ChannelName> = Channels[C] extends ChannelDef<infer I, unknown> ? z.output<I> : never;
export type ChannelOutput<C extends ChannelName> = Channels[C] extends ChannelDef<z.ZodType, infer O> ? O : never;

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}
