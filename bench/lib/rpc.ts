// The orchestrator's side of a benchmark child process: request/response over Node's IPC
// channel. Children run Tessera (or a baseline) in a process of their own, so their memory is
// measured apart from the fleet simulator, which stays in the orchestrator for its counters.
import { fork, type ChildProcess } from 'node:child_process';

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface Child {
  call<T>(op: string, args?: unknown): Promise<T>;
  pid: number;
  stop(): Promise<void>;
}

export function startChild(script: URL, env: NodeJS.ProcessEnv = {}): Child {
  const child: ChildProcess = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error ?? 'child failed'));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`benchmark child exited with ${code}`));
    pending.clear();
  });
  return {
    pid: child.pid!,
    call<T>(op: string, args?: unknown): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ id: 0, op: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's side: serve ops until told to exit. */
export function serveOps(ops: Record<string, (args: never) => Promise<unknown> | unknown>, onExit: () => Promise<void>): void {
  process.on('message', (m: { id: number; op: string; args: unknown }) => {
    if (m.op === 'exit') {
      void onExit().finally(() => process.exit(0));
      return;
    }
    const op = ops[m.op];
    void (async () => {
      try {
        if (!op) throw new Error(`unknown op ${m.op}`);
        const value = await op(m.args as never);
        process.send!({ id: m.id, ok: true, value });
      } catch (error) {
        process.send!({ id: m.id, ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
      }
    })();
  });
}

/** Samples this process's RSS every few ms until stopped; returns the peak in bytes. */
export function rssSampler(everyMs = 10): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
