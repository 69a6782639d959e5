import type { BenchCase } from './cases.js';

export interface Measurement {
  caseId: string;
  label: string;
  implementation: string;
  peer: boolean;
  /** Median latency in milliseconds. */
  medianMs: number;
  samples: number;
  gflops: number;
  /** For sparse24 rows: this row's speed divided by the best peer's on the same case (1 = as fast). */
  ratioToBestPeer: number | null;
  bestPeer: string | null;
}

export function gflopsOf(c: BenchCase, medianMs: number): number {
  return c.flops / (medianMs * 1e6);
}

/** Fills `ratioToBestPeer` from the fastest peer measured on the same case in the same run. */
export function attachPeerRatios(rows: Measurement[]): void {
  for (const row of rows) {
    if (row.peer) continue;
    const peers = rows.filter((r) => r.peer && r.caseId === row.caseId);
    if (peers.length === 0) continue;
    const best = peers.reduce((a, b) => (a.medianMs <= b.medianMs ? a : b));
    row.ratioToBestPeer = best.medianMs / row.medianMs;
    row.bestPeer = best.implementation;
  }
}

function fmt(x: number, digits: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

export function markdownTable(rows: Measurement[]): string {
  const lines = [
    '| case | implementation | median ms | GFLOP/s | vs best peer |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const ratio = r.ratioToBestPeer === null ? '' : `${fmt(r.ratioToBestPeer, 2)}× (${r.bestPeer})`;
    lines.push(`| ${r.label} | ${r.implementation} | ${fmt(r.medianMs, 3)} | ${fmt(r.gflops, 3)} | ${ratio} |`);
  }
  return lines.join('\n');
}
