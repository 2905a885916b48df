// The main thread's handle on one PKCS#11 worker: request ids, pending promises, and a worker
// that keeps the process alive only while a request is outstanding.
import { Worker } from 'node:worker_threads';
import { pkcs11Error, type MapContext, type WorkerFailure } from './errors.ts';
import { workerFileUrl } from './worker-file.ts';
import type { OpArgs, OpResult, WorkerOp } from './worker-protocol.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  context: MapContext;
}

export class ModuleWorker {
  readonly path: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor(path: string) {
    this.path = path;
    this.worker = new Worker(workerFileUrl('pkcs11-worker', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (message: { id: number; ok: boolean; value?: unknown; failure?: WorkerFailure }) => {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.ok) entry.resolve(toBuffer(message.value));
      else entry.reject(pkcs11Error(message.failure!, entry.context));
    });
    const fail = (error: Error) => {
      this.dead = error;
      for (const entry of this.pending.values()) entry.reject(pkcs11Error({ kind: 'other', message: error.name }, entry.context));
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
  }

  /**
   * Runs one operation in the worker: exactly one message each way. `context` only shapes the
   * error sentence. Byte arguments are copied once into exact-size ArrayBuffers that are
   * transferred (not cloned): a Buffer from Node's 8 KiB pool would otherwise clone the whole pool
   * slab into the worker, and the caller's own buffers stay untouched.
   */
  call<K extends WorkerOp>(op: K, args: OpArgs<K>, context: MapContext = {}): Promise<OpResult<K>> {
    if (this.dead) return Promise.reject(pkcs11Error({ kind: 'other', message: 'worker stopped' }, context));
    const id = this.nextId++;
    let transfer: ArrayBuffer[] | undefined;
    const input = args as Record<string, unknown>;
    let message = input;
    for (const key in input) {
      const v = input[key];
      if (!(v instanceof Uint8Array)) continue;
      if (message === input) message = { ...input };
      const copy = new Uint8Array(v.byteLength);
      copy.set(v);
      message[key] = copy;
      (transfer ??= []).push(copy.buffer);
    }
    return new Promise<OpResult<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, context });
      if (this.pending.size === 1) this.worker.ref();
      if (transfer) this.worker.postMessage({ id, op, args: message }, transfer);
      else this.worker.postMessage({ id, op, args: message });
    });
  }

  /** False once the thread has exited or failed: a new worker is needed. */
  get alive(): boolean {
    return this.dead === null;
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('terminated');
    await this.worker.terminate();
  }
}

/** Buffers come back as Uint8Array after structured clone; give callers Buffers. */
function toBuffer(value: unknown): unknown {
  return value instanceof Uint8Array && !(value instanceof Buffer) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}
