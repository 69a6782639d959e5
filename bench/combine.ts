/**
 * `npx tsx bench/combine.ts A.json B.json ...`: several `sparse24 bench --json` reports of the same
 * suite, taken one after another, as one markdown table of per-row medians (with the spread across
 * runs), and the ratios the wasm backend is judged by, computed from those medians. On a shared or
 * throttled machine a single run can move one row by 2×; the median of three is steadier.
 */
import { readFileSync } from 'node:fs';
import type { BenchReport } from '../src/bench/report.js';

const reports = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchReport);
if (reports.length === 0) {
  console.error('usage: npx tsx bench/combine.ts REPORT.json [REPORT.json ...]');
  process.exit(2);
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  label: string;
  impl: string;
  ms: number[];
  flops: number;
}
const rows = new Map<string, Row>();
for (const r of reports) {
  for (const m of r.rows) {
    const key = `${m.caseId}|${m.implementation}`;
    const row = rows.get(key) ?? { label: m.label, impl: m.implementation, ms: [], flops: m.gflops * m.medianMs * 1e6 };
    row.ms.push(m.medianMs);
    rows.set(key, row);
  }
}
const msOf = (caseId: string, impl: string): number | null => {
  const row = rows.get(`${caseId}|${impl}`);
  return row === undefined ? null : median(row.ms);
};
const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

console.log(`${reports.length} runs; median ms (min–max), dense-equivalent GFLOP/s of the median\n`);
console.log('| case | implementation | median ms | spread | GFLOP/s |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const r of rows.values()) {
  const m = median(r.ms);
  console.log(
    `| ${r.label} | ${r.impl} | ${f(m)} | ${f(Math.min(...r.ms))}–${f(Math.max(...r.ms))} | ${f(r.flops / (m * 1e6))} |`,
  );
}

const cases = [...new Set(reports.flatMap((r) => r.rows.map((m) => m.caseId)))];
console.log(
  '\n| case | wasm 1t vs tfjs-wasm | 2:4 / dense, 1t | 2:4 / dense, 2t | dense 2t / 1t | 2:4 2t vs onnxruntime |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
const threads =
  reports[0]!.rows.map((m) => m.backend).find((b) => /^wasm\/\d+t$/.test(b) && b !== 'wasm/1t') ?? 'wasm/2t';
const ratio = (a: number | null, b: number | null): string =>
  a === null || b === null ? '' : `${(a / b).toFixed(2)}×`;
for (const c of cases) {
  const label = reports[0]!.rows.find((m) => m.caseId === c)!.label;
  const d1 = msOf(c, 'sparse24 wasm/1t');
  const s1 = msOf(c, 'sparse24 wasm/1t 2:4');
  const dN = msOf(c, `sparse24 ${threads}`);
  const sN = msOf(c, `sparse24 ${threads} 2:4`);
  console.log(
    `| ${label} | ${ratio(msOf(c, 'tfjs-wasm'), d1)} | ${ratio(d1, s1)} | ${ratio(dN, sN)} | ${ratio(d1, dN)} | ${ratio(msOf(c, 'onnxruntime-node'), sN)} |`,
  );
}
const m = reports[0]!.machine;
console.log(`\nMachine: ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, wasm ${m.wasmSimd}.`);
