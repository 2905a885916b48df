// One declaration per channel: its zod input schema and (as a phantom type) its output.
import type { z } from 'zod';

export interface ChannelDef<I extends z.ZodType, O> {
  readonly input: I;
  /** Phantom: never read at run time, carries the output type. */
  readonly output?: O;
  /** One line for docs and the CLI's help. */
  readonly summary: string;
}

export function channel<O>() {
  return <I extends z.ZodType>(input: I, summary: string): ChannelDef<I, O> => ({ input, summary });
}
