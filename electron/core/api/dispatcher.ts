// The single dispatcher: validate input against the channel's schema, call the handler,
// wrap the outcome in the result envelope. Nothing thrown here ever crosses a transport.
import type { z } from 'zod';
import {
  channels,
  fail,
  isChannelName,
  ok,
  TesseraError,
  type ChannelName,
  type ChannelOutput,
  type ParsedInput,
  type Result,
} from '../../../shared/contract/index.ts';
import type { Logger } from '../log/logger.ts';

/** Who is calling: the transport and, later, the principal. Handlers may use it for audit. */
export interface CallContext {
  transport: 'ipc' | 'http' | 'cli' | 'test';
  signal?: AbortSignal;
}

export type Handler<C extends ChannelName> = (input: ParsedInput<C>, ctx: CallContext) => Promise<ChannelOutput<C>>;
export type Handlers = { [C in ChannelName]: Handler<C> };

export interface Dispatcher {
  dispatch(channel: string, input: unknown, ctx: CallContext): Promise<Result<unknown>>;
}

/** The dotted path of a zod issue, e.g. "patch.concurrency" or "keys.2.name". */
function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

export function invalidInputFromZod(error: z.ZodError): TesseraError {
  const issue = error.issues[0];
  const field = issue ? issuePath(issue) : '';
  const where = field === '' ? 'input' : `"${field}"`;
  const rule = issue?.message ?? 'is not valid';
  return new TesseraError('INVALID_INPUT', `${where}: ${rule}`, { field });
}

export function createDispatcher(handlers: Handlers, log: Logger): Dispatcher {
  return {
    async dispatch(channel, input, ctx) {
      if (!isChannelName(channel)) {
        return fail({ code: 'NOT_FOUND', message: `There is no channel named "${channel}".` });
      }
      const parsed = channels[channel].input.safeParse(input ?? {});
      if (!parsed.success) return fail(invalidInputFromZod(parsed.error).toContract());
      const handler = handlers[channel] as (input: unknown, ctx: CallContext) => Promise<unknown>;
      try {
        return ok(await handler(parsed.data, ctx));
      } catch (error) {
        if (error instanceof TesseraError) {
          log.info('call refused', { channel, code: error.code });
          return fail(error.toContract());
        }
        // An unexpected failure: log the name only (messages of foreign errors may hold anything).
        log.error('call failed unexpectedly', { channel, error: error instanceof Error ? error.name : typeof error });
        return fail({ code: 'INTERNAL', message: `Tessera hit an internal error while handling "${channel}". The log has details.` });
      }
    },
  };
}
