/**
 * The wasm pool's workers: the loop each one runs, the control block it shares with the pool, and
 * the two ways to start one — Node's worker_threads and a browser's Web Workers. The loop is source
 * text evaluated by the worker (an `eval` worker on Node, a Blob URL in a browser), so there is no
 * separate file to locate in src/, dist/ or a bundle; Node's worker_threads is reached through
 * `process.getBuiltinModule`, so nothing here imports a Node module.
 */
import { nodeBuiltin } from '../../host.js';

/** Control block layout (Int32 slots). */
export const SEQ = 0;
export const DONE = 1;
export const FN = 2;
export const FAILED = 3;
export const READY = 4;
export const ARGS = 8;
export const MAX_ARGS = 24;
export const SLOTS = ARGS + MAX_ARGS;

/** What a worker is started with (structured-cloned: the module and the shared buffers are shared). */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: ArrayBufferLike;
  names: readonly string[];
  tid: number;
  nt: number;
}

/** `start(init)`: instantiate the module on the shared memory, count in as ready, then run jobs forever. */
const LOOP = `
function start({ module, memory, control, names, tid, nt }) {
  const ctl = new Int32Array(control);
  let exports;
  try {
    exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1);
    Atomics.add(ctl, ${READY}, 1);
    Atomics.notify(ctl, ${READY});
    throw e;
  }
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  let seq = 0;
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
}
`;

const NODE_SOURCE = `${LOOP}\nstart(require('node:worker_threads').workerData);\n`;
const WEB_SOURCE = `${LOOP}\nself.onmessage = (e) => { self.onmessage = null; start(e.data); };\n`;

export interface WorkerHandle {
  terminate(): void;
}

export interface WorkerHost {
  /** Starts one worker; `failed(why)` is called if it dies before or while running jobs. */
  spawn(init: WorkerInit, failed: (why: string) => void): WorkerHandle;
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (e: Error) => void): void;
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

/** Node's worker_threads, or null elsewhere. Workers are unref'd: they never keep a process alive. */
export function workerThreadsHost(): WorkerHost | null {
  const wt = nodeBuiltin<WorkerThreadsModule>('node:worker_threads');
  if (wt === undefined) return null;
  return {
    spawn(init, failed) {
      const w = new wt.Worker(NODE_SOURCE, { eval: true, workerData: init });
      w.on('error', (e) => failed(`a worker thread failed: ${e.message}`));
      w.unref();
      return { terminate: () => void w.terminate() };
    },
  };
}

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'error', listener: (e: { message?: string }) => void): void;
}
interface WebGlobals {
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL: { createObjectURL?: (blob: unknown) => string };
}

let webSourceUrl: string | null = null;

/**
 * A browser's (or a worker's) Web Workers, started from a Blob URL of the loop, or null where there
 * are none. The module and the shared memory travel by postMessage, which needs the page to be
 * cross-origin isolated (the pool is only built where SharedArrayBuffer exists, which needs the same).
 */
export function webWorkerHost(): WorkerHost | null {
  const g = globalThis as unknown as WebGlobals;
  const { Worker, Blob } = g;
  const createObjectURL = g.URL.createObjectURL;
  if (Worker === undefined || Blob === undefined || createObjectURL === undefined) return null;
  return {
    spawn(init, failed) {
      webSourceUrl ??= createObjectURL(new Blob([WEB_SOURCE], { type: 'text/javascript' }));
      const w = new Worker(webSourceUrl, { name: `sparse24 wasm thread ${init.tid}` });
      w.addEventListener('error', (e) => failed(`a worker thread failed: ${e.message ?? 'unknown error'}`));
      w.postMessage(init);
      return { terminate: () => w.terminate() };
    },
  };
}
