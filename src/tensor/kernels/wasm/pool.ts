/**
 * Threads for the wasm kernels: workers that each instantiate the kernel module on the one shared
 * memory and wait on a control block of shared integers. `run` is synchronous — the caller posts a
 * job (kernel name and integer arguments), runs slice 0 itself, and waits until every worker has done
 * its slice — so the ops above see an ordinary function call.
 *
 * Two hosts start the workers (./workers.ts): Node's worker_threads, and a browser's Web Workers. On
 * Node the pool is up when the constructor returns. A browser page's main thread may neither block
 * (Atomics.wait throws there) nor see a new worker run before it yields to its event loop, so there
 * the workers start in the background: until all have instantiated the module (`started` resolves)
 * every kernel runs on the calling thread alone, and a thread that may not block waits for the
 * workers' slices by spinning on the control block instead of sleeping in Atomics.wait.
 */
import { BackendError } from '../../errors.js';
import { type WorkerHandle, type WorkerInit, webWorkerHost, workerThreadsHost } from './workers.js';
import { ARGS, DONE, FAILED, FN, MAX_ARGS, READY, SEQ, SLOTS } from './workers.js';

/** Whether this runtime can run the kernels on several threads, and if not, why. */
export function threadSupport(): { ok: true } | { ok: false; reason: string } {
  if (typeof SharedArrayBuffer === 'undefined') {
    return {
      ok: false,
      reason:
        'SharedArrayBuffer is unavailable (a browser page must be cross-origin isolated: COOP same-origin + COEP require-corp)',
    };
  }
  if (workerThreadsHost() === null && webWorkerHost() === null)
    return { ok: false, reason: 'this runtime has neither worker_threads nor Web Workers' };
  return { ok: true };
}

/** Whether this thread may sleep in Atomics.wait (not a browser page's main thread). */
function threadCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** How long workers get to instantiate the module before the pool gives up on them. */
const START_TIMEOUT_MS = 30_000;

export class ThreadPool {
  /** Threads in all, the calling thread included, once the workers are up. */
  readonly threads: number;
  /** Resolves when every worker is up, or when the pool has given up on them (see `failure`). */
  readonly started: Promise<void>;
  readonly #ctl: Int32Array;
  readonly #names: readonly string[];
  readonly #workers: WorkerHandle[] = [];
  readonly #main: Record<string, (...args: number[]) => void>;
  readonly #canBlock: boolean;
  #up = false;
  #failure: string | null = null;
  #parallelCalls = 0;

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
    // One thread needs no shared control block (and a page that is not isolated has no SharedArrayBuffer).
    this.#ctl = new Int32Array(threads === 1 ? new ArrayBuffer(SLOTS * 4) : new SharedArrayBuffer(SLOTS * 4));
    this.#canBlock = threads > 1 && threadCanBlock();
    if (threads === 1) {
      this.#up = true;
      this.started = Promise.resolve();
      return;
    }
    const nodeHost = workerThreadsHost();
    const host = nodeHost ?? webWorkerHost();
    if (host === null) throw new BackendError('wasm backend: worker threads are unavailable here');
    const failed = (why: string): void => {
      if (this.#failure === null) this.#failure = why;
    };
    for (let tid = 1; tid < threads; tid++) {
      const init: WorkerInit = { module, memory, control: this.#ctl.buffer, names, tid, nt: threads };
      this.#workers.push(host.spawn(init, failed));
    }
    if (nodeHost !== null && this.#canBlock) {
      this.#waitUpBlocking();
      this.started = Promise.resolve();
    } else {
      this.started = this.#waitUpAsync();
    }
  }

  /** Kernels run on this many threads now: 1 until the workers are up (or if they failed). */
  get activeThreads(): number {
    return this.#up ? this.threads : 1;
  }

  /** Why the workers are not running (null while they start and once they are up). */
  get failure(): string | null {
    return this.#failure;
  }

  /** Kernel calls so far that ran on every thread. */
  get parallelCalls(): number {
    return this.#parallelCalls;
  }

  #startError(): string | null {
    if (this.#failure !== null) return this.#failure;
    if (Atomics.load(this.#ctl, FAILED) !== 0) return 'a worker thread could not instantiate the kernel module';
    return null;
  }

  #waitUpBlocking(): void {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(this.#ctl, READY);
      if (ready === this.threads - 1) break;
      if (Date.now() > deadline) {
        this.close();
        throw new BackendError(
          `wasm backend: only ${ready} of ${this.threads - 1} worker threads started within ${START_TIMEOUT_MS / 1000} s`,
        );
      }
      Atomics.wait(this.#ctl, READY, ready, 100);
    }
    const error = this.#startError();
    if (error !== null) {
      this.close();
      throw new BackendError(`wasm backend: ${error}`);
    }
    this.#up = true;
  }

  /** Polls the ready count from the event loop; never rejects (a failure leaves one thread running). */
  async #waitUpAsync(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const error = this.#startError();
      const ready = Atomics.load(this.#ctl, READY);
      if (error === null && ready === this.threads - 1) {
        this.#up = true;
        return;
      }
      if (error !== null || Date.now() > deadline) {
        this.#failure = error ?? `only ${ready} of ${this.threads - 1} worker threads started within 30 s`;
        this.close();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Until `slot` moves off `current`: asleep where this thread may block, spinning where not. */
  #waitWhile(slot: number, current: number): void {
    if (this.#canBlock) Atomics.wait(this.#ctl, slot, current);
    else while (Atomics.load(this.#ctl, slot) === current);
  }

  /**
   * Runs kernel `name` with (tid, threads, ...args) on every thread, or with (0, 1, ...args) on the
   * calling thread alone when `threads` is 1 or the workers are not up; returns when all are done.
   */
  run(name: string, args: readonly number[], threads = this.threads): void {
    if (args.length > MAX_ARGS)
      throw new BackendError(`wasm backend: kernel ${name} called with ${args.length} arguments, at most ${MAX_ARGS}`);
    const fn = this.#main[name];
    if (fn === undefined) throw new BackendError(`wasm backend: no kernel named ${name}`);
    if (this.threads === 1 || threads === 1 || !this.#up) {
      fn(0, 1, ...args);
      return;
    }
    this.#parallelCalls++;
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
      this.#waitWhile(DONE, done);
    }
    if (error !== null) throw new BackendError(`wasm backend: kernel ${name} failed: ${(error as Error).message}`);
    if (Atomics.exchange(ctl, FAILED, 0) !== 0)
      throw new BackendError(`wasm backend: kernel ${name} failed on a worker thread`);
  }

  /** Stops the workers (Node's are unref'd, so this is only needed to free them early). */
  close(): void {
    this.#up = false;
    for (const w of this.#workers) w.terminate();
    this.#workers.length = 0;
  }
}
