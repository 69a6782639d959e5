/// <reference lib="dom" />
/**
 * The bench page (/bench.html): the standard cases of `sparse24 bench` (denseCases, --only) on this
 * browser's backends, dense and 2:4 each, through the same Implementation objects as the Node bench
 * (denseImplementation / sparseImplementation on kernel sets taken from the package root).
 * `sparse24 bench --browser` opens it in headless Chromium; a person can open it too.
 *
 * Backends: `reference`, `wasm/1t`, `wasm/<T>t` (T from ?threads= or navigator.hardwareConcurrency,
 * only when the page is cross-origin isolated), gpu.js `gpu/webgl2`, and `gpu/webgpu` (asynchronous
 * kernel sets: `run` returns a Promise, awaited). Before a wasm row is timed, `wasmReady()` is awaited
 * and the row records the threads the runtime actually has (`wasmInfo().threads`), never the ones asked
 * for. Each row's first call is its warm-up (gpu.js compiles its kernels there) and its output is
 * compared with the reference backend's output for the same case and variant: `maxAbsDiff`. Then the
 * row is timed: samples until a time budget is spent (at least one, at most a cap), median reported.
 * A backend that throws is a `failures` entry, and the run goes on.
 *
 * Query parameters: suite=dense|sparse|all, quick=1, only=IDS, backends=LIST, threads=T, budget=MS.
 * Progress lines go to the console prefixed BROWSER_BENCH_PROGRESS; the outcome is
 * `window.sparse24Bench` (BrowserBenchOutcome), `done: true` last, then BROWSER_BENCH_DONE is logged.
 */
import {
  type BenchCase,
  type BenchFailure,
  type BrowserBenchOutcome,
  type BrowserMachine,
  BROWSER_BENCH_DONE,
  BROWSER_BENCH_PROGRESS,
  type Implementation,
  type Measurement,
  attachRatios,
  browserBackendNames,
  denseCases,
  denseImplementation,
  denseKernelsFor,
  gflopsOf,
  markdownTable,
  sparseImplementation,
  sparseKernelsFor,
  wasmReady,
  wasmThreadsOf,
} from 'sparse24';
import { maxAbsDiff } from './max_abs_diff.js';

declare global {
  interface Window {
    sparse24Bench?: BrowserBenchOutcome;
  }
}

interface PageConfig {
  suite: string;
  quick: boolean;
  only: string[] | null;
  backends: string[] | null;
  threads: number;
  /** Time budget of one row's samples, in ms (the warm-up call is outside it). */
  budgetMs: number;
  maxSamples: number;
}

function readConfig(): PageConfig {
  const q = new URLSearchParams(location.search);
  const list = (name: string): string[] | null => {
    const v = q.get(name);
    return v === null ? null : v.split(',').filter((s) => s !== '');
  };
  const quick = q.get('quick') === '1';
  const threads = Number(q.get('threads') ?? navigator.hardwareConcurrency ?? 1);
  const budget = Number(q.get('budget') ?? (quick ? 150 : 1000));
  return {
    suite: q.get('suite') ?? 'all',
    quick,
    only: list('only'),
    backends: list('backends'),
    threads: Number.isInteger(threads) && threads >= 1 ? threads : 1,
    budgetMs: Number.isFinite(budget) && budget > 0 ? budget : 1000,
    maxSamples: quick ? 10 : 50,
  };
}

const log = document.getElementById('log');
function progress(line: string): void {
  console.info(`${BROWSER_BENCH_PROGRESS}${line}`);
  if (log !== null) log.textContent += `${line}\n`;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 500);

/** Yields to the event loop (console messages flush, the page paints) between rows. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function browserMachine(): Promise<BrowserMachine> {
  let webgpuAdapter: BrowserMachine['webgpuAdapter'] = null;
  try {
    type Info = { vendor?: string; architecture?: string; device?: string; description?: string };
    type Adapter = { info?: Info; requestAdapterInfo?: () => Promise<Info> };
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
    const adapter = gpu === undefined ? null : await gpu.requestAdapter();
    const info = adapter === null ? undefined : (adapter.info ?? (await adapter.requestAdapterInfo?.()));
    if (info !== undefined) {
      webgpuAdapter = {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: info.device ?? '',
        description: info.description ?? '',
      };
    }
  } catch {
    // no adapter info: recorded as null
  }
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency ?? 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webgpuAdapter,
    wasmSimd: null,
    wasmThreadNote: null,
  };
}

/** maxAbsDiff of a row's output, which must be a finite Float32Array of the reference's length. */
function diffToReference(got: unknown, want: Float32Array): number {
  if (!(got instanceof Float32Array)) throw new Error('the kernel returned no Float32Array');
  if (got.length !== want.length) throw new Error(`output has ${got.length} values, reference ${want.length}`);
  const d = maxAbsDiff(got, want); // NaN propagates: a NaN output is not agreement
  if (!Number.isFinite(d)) throw new Error(`output differs from the reference by ${d} (non-finite values)`);
  return d;
}

/** Warm-up call (its output returned), then samples until the budget is spent; the median in ms. */
async function time(
  run: () => unknown,
  c: PageConfig,
): Promise<{ output: unknown; medianMs: number; samples: number }> {
  const output = await run();
  const times: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    // A call slower than the budget (reference GEMM 1024² takes seconds) is sampled once.
  } while (times.length < c.maxSamples && performance.now() - start < c.budgetMs);
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  // performance.now() is coarse (5 µs isolated, 100 µs otherwise): a zero would make GFLOP/s infinite.
  return { output, medianMs: Math.max(medianMs, 1e-3), samples: times.length };
}

async function runSuite(c: PageConfig, out: BrowserBenchOutcome): Promise<void> {
  const isolated = globalThis.crossOriginIsolated === true;
  const names = browserBackendNames(c.threads).filter((b) => c.backends === null || c.backends.includes(b));
  const cases: BenchCase[] = denseCases(c.quick).filter((k) => c.only === null || c.only.includes(k.id));
  const variants: ('dense' | '2:4')[] = c.suite === 'dense' ? ['dense'] : ['dense', '2:4'];
  // The kernel sets of a backend, created on first use (gpu.js sets compile lazily); a set that cannot
  // be created fails each of its rows with the same error.
  const sets = new Map<string, Implementation | Error>();
  const implOf = (backend: string, variant: 'dense' | '2:4'): Implementation => {
    const key = `${backend}|${variant}`;
    let impl = sets.get(key);
    if (impl === undefined) {
      try {
        impl =
          variant === 'dense'
            ? denseImplementation(backend, denseKernelsFor(backend))
            : sparseImplementation(backend, sparseKernelsFor(backend));
      } catch (e) {
        impl = e instanceof Error ? e : new Error(String(e));
      }
      sets.set(key, impl);
    }
    if (impl instanceof Error) throw impl;
    return impl;
  };

  for (const k of cases) {
    // The reference outputs of this case, from the reference rows' warm-up (or computed, if filtered out).
    const ref = new Map<'dense' | '2:4', Float32Array>();
    const referenceOutput = async (variant: 'dense' | '2:4'): Promise<Float32Array> => {
      let r = ref.get(variant);
      if (r === undefined) {
        const p = await implOf('reference', variant).prepare(k);
        r = (await p!.run()) as Float32Array;
        ref.set(variant, r);
      }
      return r;
    };
    for (const backend of names) {
      for (const variant of variants) {
        const label = `sparse24 ${backend}${variant === '2:4' ? ' 2:4' : ''}`;
        const fail = (error: string): void => {
          const f: BenchFailure = { caseId: k.id, label: k.label, implementation: label, backend, variant, error };
          out.failures.push(f);
          progress(`${k.id} / ${label}: failed: ${error}`);
        };
        const asked = wasmThreadsOf(backend);
        if (asked !== null && asked > 1 && !isolated) {
          fail('the page is not cross-origin isolated (no SharedArrayBuffer), so wasm cannot use threads');
          continue;
        }
        try {
          const impl = implOf(backend, variant);
          const prepared = await impl.prepare(k); // selects the wasm thread count for wasm rows
          if (prepared === null) continue;
          let threads: number | undefined;
          let implementation = impl.name;
          if (asked !== null) {
            const info = await wasmReady();
            threads = info.threads;
            out.browser!.wasmSimd = info.relaxed ? 'relaxed (FMA)' : 'SIMD128';
            if (info.threadNote !== null) out.browser!.wasmThreadNote = info.threadNote;
            if (threads !== asked)
              implementation = `${impl.name} (ran on ${threads} thread${threads === 1 ? '' : 's'})`;
          }
          const m = await time(prepared.run, c);
          prepared.dispose?.();
          if (backend === 'reference') ref.set(variant, m.output as Float32Array);
          const diff = diffToReference(m.output, await referenceOutput(variant));
          const row: Measurement = {
            caseId: k.id,
            label: k.label,
            implementation,
            backend,
            variant,
            peer: false,
            medianMs: m.medianMs,
            samples: m.samples,
            gflops: gflopsOf(k, m.medianMs),
            ratioToBestPeer: null,
            bestPeer: null,
            sparseSpeedup: null,
            maxAbsDiff: diff,
            ...(threads === undefined ? {} : { threads }),
          };
          out.rows.push(row);
          const t = threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`;
          progress(
            `${k.id} / ${implementation}: ${m.medianMs.toFixed(3)} ms (${m.samples} samples${t}), max |Δ| ${diff.toExponential(1)}`,
          );
        } catch (e) {
          fail(message(e));
        }
        await breathe();
      }
    }
  }
  attachRatios(out.rows);
}

async function main(): Promise<void> {
  const c = readConfig();
  const out: BrowserBenchOutcome = {
    done: false,
    error: null,
    browser: null,
    threads: c.threads,
    rows: [],
    failures: [],
  };
  window.sparse24Bench = out;
  try {
    out.browser = await browserMachine();
    progress(
      `${out.browser.userAgent}; ${out.browser.hardwareConcurrency} cores; ` +
        `cross-origin isolated: ${out.browser.crossOriginIsolated}`,
    );
    await runSuite(c, out);
  } catch (e) {
    out.error = message(e);
    progress(`the bench page failed: ${out.error}`);
  }
  const table = document.getElementById('table');
  if (table !== null) table.textContent = markdownTable(out.rows);
  out.done = true;
  console.info(BROWSER_BENCH_DONE);
}

void main();
