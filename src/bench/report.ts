import type { BenchCase } from './cases.js';

export interface Measurement {
  caseId: string;
  label: string;
  implementation: string;
  backend: string;
  variant: 'dense' | '2:4';
  peer: boolean;
  /** Median latency in milliseconds. */
  medianMs: number;
  samples: number;
  /** Dense-equivalent GFLOP/s (2·M·N·K / time), so 2:4 rows show effective throughput. */
  gflops: number;
  /** sparse24 rows: this row's speed ÷ the fastest peer's on the same case (1 = as fast). */
  ratioToBestPeer: number | null;
  bestPeer: string | null;
  /** 2:4 rows: the same backend's dense time ÷ this row's time, same case, same run. */
  sparseSpeedup: number | null;
  /**
   * Browser rows: max |Δ| of this row's output against the reference backend's output for the same
   * case and variant (so a fast wrong kernel shows). Absent on Node rows.
   */
  maxAbsDiff?: number;
  /** Browser wasm rows: the threads the wasm runtime actually ran on (`wasmInfo().threads`). */
  threads?: number;
}

/** What a browser run adds to `machine`: the page's view of itself. */
export interface BrowserMachine {
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** The WebGPU adapter's vendor/architecture/device/description, or null (no WebGPU, or not exposed). */
  webgpuAdapter: { vendor: string; architecture: string; device: string; description: string } | null;
  /** The wasm build the page ran (`relaxed (FMA)` or `SIMD128`), or null when no wasm row ran. */
  wasmSimd: string | null;
  /** Why the wasm backend ran on fewer threads than asked (`wasmInfo().threadNote`), or null. */
  wasmThreadNote: string | null;
}

/** A row that could not be measured: the backend threw (browser runs record these, not crash). */
export interface BenchFailure {
  caseId: string;
  label: string;
  implementation: string;
  backend: string;
  variant: 'dense' | '2:4';
  error: string;
}

export interface BenchReport {
  suite: string;
  date: string;
  quick: boolean;
  /** The host; a browser run (`sparse24 bench --browser`) adds `browser`. */
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    wasmSimd: string;
    browser?: BrowserMachine;
  };
  rows: Measurement[];
  /** Browser runs: the rows whose backend threw, with the error (Node runs leave it out). */
  failures?: BenchFailure[];
}

export function gflopsOf(c: BenchCase, medianMs: number): number {
  return c.flops / (medianMs * 1e6);
}

/** Fills the ratio columns from rows measured in the same run. */
export function attachRatios(rows: Measurement[]): void {
  for (const row of rows) {
    if (row.peer) continue;
    const peers = rows.filter((r) => r.peer && r.caseId === row.caseId);
    if (peers.length > 0) {
      const best = peers.reduce((a, b) => (a.medianMs <= b.medianMs ? a : b));
      row.ratioToBestPeer = best.medianMs / row.medianMs;
      row.bestPeer = best.implementation;
    }
    if (row.variant === '2:4') {
      const dense = rows.find(
        (r) => !r.peer && r.variant === 'dense' && r.backend === row.backend && r.caseId === row.caseId,
      );
      if (dense !== undefined) row.sparseSpeedup = dense.medianMs / row.medianMs;
    }
  }
}

function fmt(x: number, digits: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

/** The table; rows that carry `maxAbsDiff` (browser runs) get a "max |Δ| vs reference" column. */
export function markdownTable(rows: Measurement[]): string {
  const withDiff = rows.some((r) => r.maxAbsDiff !== undefined);
  const lines = [
    `| case | implementation | median ms | GFLOP/s | vs best peer | 2:4 speedup |${withDiff ? ' max \\|Δ\\| vs reference |' : ''}`,
    `| --- | --- | ---: | ---: | ---: | ---: |${withDiff ? ' ---: |' : ''}`,
  ];
  for (const r of rows) {
    const ratio = r.ratioToBestPeer === null ? '' : `${fmt(r.ratioToBestPeer, 2)}× (${r.bestPeer})`;
    const speedup = r.sparseSpeedup === null ? '' : `${r.sparseSpeedup.toFixed(2)}×`;
    const diff = withDiff ? ` ${r.maxAbsDiff === undefined ? '' : r.maxAbsDiff.toExponential(1)} |` : '';
    lines.push(
      `| ${r.label} | ${r.implementation} | ${fmt(r.medianMs, 3)} | ${fmt(r.gflops, 3)} | ${ratio} | ${speedup} |${diff}`,
    );
  }
  return lines.join('\n');
}

/**
 * What the bench page (/bench.html, `sparse24 bench --browser`) publishes as
 * `window.sparse24Bench`: `done` last, `error` set if the page itself failed (a backend that throws
 * is a `failures` entry instead). Ratios to peers are null: there are no peers in a browser.
 */
export interface BrowserBenchOutcome {
  done: boolean;
  error: string | null;
  browser: BrowserMachine | null;
  /** The wasm thread count the multi-threaded rows asked for (`--threads`, else hardwareConcurrency). */
  threads: number;
  rows: Measurement[];
  failures: BenchFailure[];
}

/** The page's progress lines reach the console with this prefix (the Node side forwards them to stderr). */
export const BROWSER_BENCH_PROGRESS = 'sparse24-bench: ';

/** The page's last console message, once `window.sparse24Bench.done` is set. */
export const BROWSER_BENCH_DONE = 'sparse24-bench-done';
