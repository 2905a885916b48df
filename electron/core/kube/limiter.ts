// A counting semaphore: at most `limit` cluster requests in flight across the whole core.
// A request holds a slot only while on the wire; backoff sleeps hold none, so one slow or
// failing cluster never starves the others. Waiting requests are served by priority (lower
// first, then in arrival order), so a run over many clusters finishes clusters one after the
// other instead of advancing all of them step by step.
import { TesseraError } from '../../../shared/contract/index.ts';

export interface Limiter {
  run<T>(fn: () => Promise<T>, signal?: AbortSignal, priority?: number): Promise<T>;
  setLimit(limit: number): void;
  readonly active: number;
  readonly waiting: number;
}

export function createLimiter(initial: number): Limiter {
  let limit = Math.max(1, initial);
  let active = 0;
  interface Entry {
    start: () => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
    priority: number;
    seq: number;
  }
  const queue: Entry[] = [];
  let seq = 0;
  const insert = (entry: Entry) => {
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = queue[mid]!;
      if (m.priority < entry.priority || (m.priority === entry.priority && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, entry);
  };

  const pump = () => {
    while (active < limit && queue.length > 0) {
      const next = queue.shift()!;
      next.signal?.removeEventListener('abort', next.onAbort);
      active++;
      next.start();
    }
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    setLimit(next) {
      limit = Math.max(1, next);
      pump();
    },
    run(fn, signal, priority = 0) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(cancelled());
          return;
        }
        const entry: Entry = {
          signal,
          priority,
          seq: seq++,
          start: () => {
            fn()
              .then(resolve, reject)
              .finally(() => {
                active--;
                pump();
              });
          },
          onAbort: () => {
            const i = queue.indexOf(entry);
            if (i >= 0) queue.splice(i, 1);
            reject(cancelled());
          },
        };
        signal?.addEventListener('abort', entry.onAbort, { once: true });
        insert(entry);
        pump();
      });
    },
  };
}

export function cancelled(): TesseraError {
  return new TesseraError('CANCELLED', 'The operation was cancelled before it finished.');
}

/** Sleeps, or rejects with CANCELLED as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
