// What a CLI command is: a name (one or two words), its options, and a run function that
// returns an exit code. Commands reach the backend through the same dispatcher as the UI.
import type { ParseArgsConfig } from 'node:util';
import type { Core } from '../core/index.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Values of the command's own options and the global ones. */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** Creates the core on first use (so `--help` needs none). */
  core(): Core;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  usage?: string;
  options?: OptionSpec;
  run(ctx: CommandContext): Promise<number>;
}

export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
