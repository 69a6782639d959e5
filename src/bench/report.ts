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
}

export interface BenchReport {
  suite: string;
  date: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; wasmSimd: string };
  rows: Measurement[];
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

export function markdownTable(rows: Measurement[]): string {
  const lines = [
    '| case | implementation | median ms | GFLOP/s | vs best peer | 2:4 speedup |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const ratio = r.ratioToBestPeer === null ? '' : `${fmt(r.ratioToBestPeer, 2)}× (${r.bestPeer})`;
    const speedup = r.sparseSpeedup === null ? '' : `${r.sparseSpeedup.toFixed(2)}×`;
    lines.push(
      `| ${r.label} | ${r.implementation} | ${fmt(r.medianMs, 3)} | ${fmt(r.gflops, 3)} | ${ratio} | ${speedup} |`,
    );
  }
  return lines.join('\n');
}
