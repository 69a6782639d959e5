/**
 * Threads for the wasm kernels: worker threads that each instantiate the kernel module on the one
 * shared memory and wait on a control block of shared integers. `run` is synchronous — the caller
 * posts a job (kernel name and integer arguments), runs slice 0 itself, and waits with Atomics until
 * every worker has done its slice — so the ops above see an ordinary function call.
 *
 * Workers start on first use, are reused, and are unref'd so they never keep a process alive. The
 * worker source is a string evaluated by the worker (no separate file to locate in src/, dist/ or
 * a bundle). Node's worker_threads is reached through `process.getBuiltinModule`, so nothing here
 * imports a Node module and a browser build sees no Node dependency.
 */
import { BackendError } from '../../errors.js';
import { nodeBuiltin } from '../../host.js';

/** Control block layout (Int32 slots). */
const SEQ = 0;
const DONE = 1;
const FN = 2;
const FAILED = 3;
const READY = 4;
const ARGS = 8;
const MAX_ARGS = 24;
const SLOTS = ARGS + MAX_ARGS;

/** The worker's loop, evaluated as a CommonJS script in each worker. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, names, tid, nt, startSeq } = workerData;
const ctl = new Int32Array(control);
let exports;
try {
  exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  Atomics.add(ctl, ${READY}, 1);
} catch (e) {
  Atomics.store(ctl, ${FAILED}, 1);
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  throw e;
}
Atomics.notify(ctl, ${READY});
let seq = startSeq;
const args = new Array(${MAX_ARGS});
for (;;) {
  // Atomics.wait can return without a new job (V8 wakes waiters to run interrupts): wait until the
  // job number really moved, or a job would run twice.
  while (Atomics.load(ctl, ${SEQ}) === seq) Atomics.wait(ctl, ${SEQ}, seq);
  seq = Atomics.load(ctl, ${SEQ});
  const fn = exports[names[Atomics.load(ctl, ${FN})]];
  for (let i = 0; i < ${MAX_ARGS}; i++) args[i] = ctl[${ARGS} + i];
  try {
    fn(tid, nt, ...args);
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

/** worker_threads when this runtime has it (Node), else null (a browser: see `threadSupport`). */
function workerThreads(): WorkerThreadsModule | null {
  return nodeBuiltin<WorkerThreadsModule>('node:worker_threads') ?? null;
}

/** Whether this runtime can run the kernels on several threads, and if not, why. */
export function threadSupport(): { ok: true } | { ok: false; reason: string } {
  if (typeof SharedArrayBuffer === 'undefined') {
    return {
      ok: false,
      reason:
        'SharedArrayBuffer is unavailable (a browser page must be cross-origin isolated: COOP same-origin + COEP require-corp)',
    };
  }
  if (workerThreads() === null) return { ok: false, reason: 'this runtime has no worker_threads' };
  return { ok: true };
}

export class ThreadPool {
  readonly threads: number;
  readonly #ctl: Int32Array;
  readonly #names: readonly string[];
  readonly #workers: WorkerLike[] = [];
  readonly #main: Record<string, (...args: number[]) => void>;

  /**
   * `threads` ≥ 1 threads in all, the calling thread included. `main` is the calling thread's instance
   * of `module`; `names` the kernel exports jobs may name.
   */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    main: WebAssembly.Exports,
    names: readonly string[],
    threads: number,
  ) {
    this.threads = threads;
    this.#names = names;
    this.#main = main as Record<string, (...args: number[]) => void>;
    this.#ctl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
    if (threads === 1) return;
    const wt = workerThreads();
    if (wt === null) throw new BackendError('wasm backend: worker threads are unavailable here');
    for (let tid = 1; tid < threads; tid++) {
      const w = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control: this.#ctl.buffer, names, tid, nt: threads, startSeq: 0 },
      });
      w.unref();
      this.#workers.push(w);
    }
    // Wait (bounded) for every worker to instantiate the module before the first job.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = Atomics.load(this.#ctl, READY);
      if (ready === threads - 1) break;
      if (Date.now() > deadline)
        throw new BackendError(`wasm backend: only ${ready} of ${threads - 1} worker threads started within 30 s`);
      Atomics.wait(this.#ctl, READY, ready, 100);
    }
    if (Atomics.load(this.#ctl, FAILED) !== 0) {
      this.close();
      throw new BackendError('wasm backend: a worker thread could not instantiate the kernel module');
    }
  }

  /**
   * Runs kernel `name` with (tid, threads, ...args) on every thread, or with (0, 1, ...args) on the
   * calling thread alone when `threads` is 1; returns when all are done.
   */
  run(name: string, args: readonly number[], threads = this.threads): void {
    if (args.length > MAX_ARGS)
      throw new BackendError(`wasm backend: kernel ${name} called with ${args.length} arguments, at most ${MAX_ARGS}`);
    const fn = this.#main[name];
    if (fn === undefined) throw new BackendError(`wasm backend: no kernel named ${name}`);
    if (this.threads === 1 || threads === 1) {
      fn(0, 1, ...args);
      return;
    }
    const ctl = this.#ctl;
    const index = this.#names.indexOf(name);
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i]!;
    Atomics.store(ctl, FN, index);
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    let error: unknown = null;
    try {
      fn(0, this.threads, ...args);
    } catch (e) {
      error = e;
    }
    // Always wait for the workers: they may still be writing memory the caller is about to reuse.
    for (;;) {
      const done = Atomics.load(ctl, DONE);
      if (done === this.threads - 1) break;
      if (done > this.threads - 1)
        throw new BackendError(`wasm backend: kernel ${name}: ${done} worker replies for ${this.threads - 1} workers`);
      Atomics.wait(ctl, DONE, done);
    }
    if (error !== null) throw new BackendError(`wasm backend: kernel ${name} failed: ${(error as Error).message}`);
    if (Atomics.exchange(ctl, FAILED, 0) !== 0)
      throw new BackendError(`wasm backend: kernel ${name} failed on a worker thread`);
  }

  /** Stops the workers (they are unref'd, so this is only needed to free them early). */
  close(): void {
    for (const w of this.#workers) void w.terminate();
    this.#workers.length = 0;
  }
}
