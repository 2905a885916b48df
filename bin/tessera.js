#!/usr/bin/env node
// The `tessera` command. Runs the TypeScript sources directly with Node 24's type stripping.
// Started by an older Node (the machine's Node 20 through npx, or ./bin/tessera.js), it runs
// itself again with the project's own Node 24 (the `node` devDependency), so any supported
// Node works without warnings.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundled = fileURLToPath(new URL(`../node_modules/node/bin/node${process.platform === 'win32' ? '.exe' : ''}`, import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(
      `tessera needs Node.js 24 or newer (this is ${process.versions.node}), and the project's own Node 24 ` +
        `(${bundled}) is not installed. Run "npm install" in the project first.\n`,
    );
    process.exit(2);
  }
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Signals sent to this process (a service manager's SIGTERM, a terminal's SIGINT) reach the real one.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`tessera could not start the project's Node 24 (${error.message}).\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  const { main } = await import('../electron/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
