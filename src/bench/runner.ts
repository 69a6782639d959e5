import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { makeDirectory, writeFileAtomic } from '../io/atomic.js';
import { relaxedSimd, requestedThreads, setWasmThreads } from '../tensor/index.js';
import { type BenchCase, denseCases } from './cases.js';
import { backendNames, denseImplementation, denseKernelsFor } from './dense.js';
import type { Implementation } from './implementation.js';
import { onnxruntimePeers } from './peers/onnxruntime.js';
import { tfjsPeers } from './peers/tfjs.js';
import { type BenchReport, type Measurement, attachRatios, gflopsOf } from './report.js';
import { sparseImplementation, sparseKernelsFor } from './sparse.js';

export type BenchSuite = 'dense' | 'sparse' | 'all';

export interface BenchOptions {
  suite: BenchSuite;
  /** Two small shapes, fewer samples: a smoke run. */
  quick: boolean;
  /** Case ids to keep (null: all). */
  only: readonly string[] | null;
  /** Backends to keep: `reference`, `gpu/webasm`, `gpu/cpu` (null: all). */
  backends: readonly string[] | null;
  /** Measure onnxruntime-node and TensorFlow.js on the same shapes (dense suite). */
  peers: boolean;
  gpuModes: readonly string[];
  /** Threads of the multi-threaded wasm rows (wasm also runs on 1 thread); default: the core count. */
  threads?: number;
  onProgress?: (line: string) => void;
}

async function implementations(o: BenchOptions): Promise<Implementation[]> {
  const names = backendNames(o.gpuModes, o.threads ?? requestedThreads()).filter(
    (b) => o.backends === null || o.backends.includes(b),
  );
  // Dense then 2:4 per backend, so background load falls on both rows of a pair alike.
  const ours = names.flatMap((b) => [
    denseImplementation(b, denseKernelsFor(b)),
    ...(o.suite === 'dense' ? [] : [sparseImplementation(b, sparseKernelsFor(b))]),
  ]);
  const withPeers = o.peers && o.suite !== 'sparse';
  return [...ours, ...(withPeers ? [...(await tfjsPeers()), ...(await onnxruntimePeers())] : [])];
}

/** Median latency (ms) of one prepared body; slow kernels get the minimum samples, fast ones fill the budget. */
async function measure(run: () => unknown, quick: boolean): Promise<{ medianMs: number; samples: number } | string> {
  const bench = new Bench({ time: quick ? 200 : 1000, iterations: quick ? 1 : 3, warmupIterations: 1, warmupTime: 0 });
  bench.add('case', run);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') return `${result.state}${'error' in result ? ` (${String(result.error)})` : ''}`;
  return { medianMs: result.latency.p50, samples: result.latency.samplesCount };
}

export function machineInfo(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    wasmSimd: relaxedSimd() ? 'relaxed (FMA)' : 'SIMD128',
  };
}

/** Runs the chosen suite: every implementation on every case, in one process, one after another. */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const cases: BenchCase[] = denseCases(o.quick).filter((c) => o.only === null || o.only.includes(c.id));
  const impls = await implementations(o);
  const threadsBefore = requestedThreads();
  const rows: Measurement[] = [];
  for (const c of cases) {
    for (const impl of impls) {
      const prepared = await impl.prepare(c);
      if (prepared === null) continue;
      const m = await measure(prepared.run, o.quick);
      prepared.dispose?.();
      if (typeof m === 'string') {
        o.onProgress?.(`${c.id} / ${impl.name}: ${m}`);
        continue;
      }
      rows.push({
        caseId: c.id,
        label: c.label,
        implementation: impl.name,
        backend: impl.backend,
        variant: impl.variant,
        peer: impl.peer,
        medianMs: m.medianMs,
        samples: m.samples,
        gflops: gflopsOf(c, m.medianMs),
        ratioToBestPeer: null,
        bestPeer: null,
        sparseSpeedup: null,
      });
      o.onProgress?.(`${c.id} / ${impl.name}: ${m.medianMs.toFixed(3)} ms (${m.samples} samples)`);
    }
  }
  setWasmThreads(threadsBefore);
  attachRatios(rows);
  return { suite: o.suite, date: new Date().toISOString(), quick: o.quick, machine: machineInfo(), rows };
}

/**
 * Writes `<dir>/<prefix><suite>[-quick].json` atomically (creating `dir`) and returns its path
 * (`sparse24 bench --browser` passes the prefix `browser-`). A folder or file that cannot be written
 * is a FileWriteError naming it.
 */
export async function writeBenchReport(dir: string, report: BenchReport, prefix = ''): Promise<string> {
  await makeDirectory(dir);
  const file = join(dir, `${prefix}${report.suite}${report.quick ? '-quick' : ''}.json`);
  await writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  return file;
}
