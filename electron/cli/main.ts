// The CLI entry: find the command (one or two words), parse its options strictly, create a
// core for the run, print errors as "error: <CODE>: <sentence>" (or JSON with --json).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TesseraError } from '../../shared/contract/index.ts';
import { createCore, defaultDataDir, type Core } from '../core/index.ts';
import { GLOBAL_OPTIONS, type Command, type CommandContext } from './command.ts';
import { commands } from './registry.ts';
import { table } from './output.ts';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function findCommand(args: string[]): { command: Command; rest: string[] } | null {
  const two = args.slice(0, 2).join(' ');
  const byTwo = commands.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: args.slice(2) };
  const byOne = commands.find((c) => c.name === args[0]);
  return byOne ? { command: byOne, rest: args.slice(1) } : null;
}

function help(): string {
  return [
    'Usage: tessera <command> [options]',
    '',
    table(commands.map((c) => [`  ${c.name}`, c.summary])),
    '',
    'Options for every command: --json, --data-dir <dir>, --kubeconfig <path-list>, --help',
  ].join('\n');
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: CliIo = { out: (t) => console.log(t), err: (t) => console.error(t) }): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(help());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    io.out(packageVersion());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`error: unknown command "${argv.slice(0, 2).join(' ')}". Run "tessera --help" for the list.`);
    return 2;
  }
  const { command, rest } = found;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`error: ${(error as Error).message}${command.usage ? `\nusage: ${command.usage}` : ''}`);
    return 2;
  }
  const values = parsed.values as CommandContext['values'];
  if (values.help) {
    io.out(`${command.usage ?? `tessera ${command.name}`}\n${command.summary}`);
    return 0;
  }
  const json = values.json === true;
  const env = io.env ?? process.env;
  let core: Core | null = null;
  const ctx: CommandContext = {
    values,
    positionals: parsed.positionals,
    json,
    out: io.out,
    err: io.err,
    core: () => {
      core ??= createCore({
        dataDir: resolve((values['data-dir'] as string | undefined) ?? defaultDataDir(env)),
        kubeconfig: values.kubeconfig as string | undefined,
        version: packageVersion(),
        host: command.name === 'serve' ? 'headless' : 'cli',
        env,
      });
      return core;
    },
  };
  try {
    return await command.run(ctx);
  } catch (error) {
    const contract =
      error instanceof TesseraError
        ? error.toContract()
        : { code: 'INTERNAL' as const, message: `Unexpected failure in "${command.name}" (${error instanceof Error ? error.name : 'error'}).` };
    if (json) io.out(JSON.stringify({ ok: false, error: contract }, null, 2));
    else io.err(`error: ${contract.code}: ${contract.message}`);
    return 1;
  } finally {
    await (core as Core | null)?.close();
  }
}
