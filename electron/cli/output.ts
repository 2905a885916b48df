// Rendering helpers: a plain aligned table for people, JSON for machines.
import { TesseraError, type ChannelName, type ChannelInput, type ChannelOutput } from '../../shared/contract/index.ts';
import type { CommandContext } from './command.ts';

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Calls a channel through the dispatcher; a refusal becomes a TesseraError for the CLI to print. */
export async function call<C extends ChannelName>(ctx: CommandContext, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const result = await ctx.core().dispatcher.dispatch(channel, input, { transport: 'cli' });
  if (!result.ok) {
    const { code, message, field, details } = result.error;
    throw new TesseraError(code, message, { ...(field === undefined ? {} : { field }), ...(details === undefined ? {} : { details }) });
  }
  return result.value as ChannelOutput<C>;
}

export function printJson(ctx: CommandContext, value: unknown) {
  ctx.out(JSON.stringify(value, null, 2));
}
