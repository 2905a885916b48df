// tessera serve: the headless host for a browser (and the end-to-end tests).
import { existsSync } from 'node:fs';
import type { Command } from '../command.ts';
import { startHost } from '../../server/host.ts';
import { rendererDir } from '../../server/renderer-dir.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the UI and the API on 127.0.0.1 for a browser',
  usage: 'tessera serve [--port N]',
  options: { port: { type: 'string' } },
  async run(ctx) {
    const portText = ctx.values.port as string | undefined;
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      ctx.err('--port: must be a whole number from 0 to 65535.');
      return 2;
    }
    const dir = rendererDir();
    if (!existsSync(dir)) {
      ctx.err(`The renderer is not built yet (${dir} is missing). Run "npm run build:renderer" or "npm install".`);
      return 1;
    }
    const core = ctx.core();
    // One-time codes that confirm a browser's change of module paths or kubeconfig files go to this terminal only.
    core.confirmations.setCodePrinter((line) => ctx.err(line));
    const host = await startHost({ core, port, rendererDir: dir });
    ctx.out(host.readyLine);
    // Look for rollouts a crash interrupted, so the UI can offer to resume them at once.
    setImmediate(() => {
      try {
        core.services.rollouts();
        // Standing intents converge while the host runs.
        core.services.reconciler().start();
      } catch (error) {
        core.log.warn('could not check for interrupted rollouts', { error: error instanceof Error ? error.name : 'error' });
      }
    });
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await host.close();
    await core.close();
    return 0;
  },
};
