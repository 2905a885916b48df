// Starts `tessera serve` as a child process, as a user would, and returns its ready URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServedTessera {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

/** `bin`: the command's entry file; bin/tessera.js (the sources) unless a test runs the built dist/electron/tessera.cjs. */
export async function serveTessera(options: { dataDir: string; env?: NodeJS.ProcessEnv; args?: string[]; bin?: string }): Promise<ServedTessera> {
  const child = spawn(process.execPath, [options.bin ?? BIN, 'serve', '--data-dir', options.dataDir, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += String(d)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tessera serve did not get ready:\n${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const match = /TESSERA_READY (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tessera serve exited with ${code}:\n${out}`));
    });
  });
  const url = new URL(line);
  return {
    url: line,
    origin: url.origin,
    token: new URLSearchParams(url.hash.slice(1)).get('token')!,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
