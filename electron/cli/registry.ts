// Every CLI command, in the order `tessera --help` lists them. Areas add theirs here.
import type { Command } from './command.ts';
import { contextsCommand, infoCommand, modulesCommand } from './commands/basics.ts';
import { serveCommand } from './commands/serve.ts';
import { keyCreateCommand, keyListCommand } from './commands/key.ts';
import { tokenListCommand } from './commands/token.ts';

export const commands: Command[] = [serveCommand, infoCommand, contextsCommand, modulesCommand, tokenListCommand, keyListCommand, keyCreateCommand];
