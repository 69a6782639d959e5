/**
 * Sparse vs dense benchmarks: `npx tsx bench/run-sparse.ts [--quick] [--only ID,ID] [--backends reference,gpu/webasm]`.
 * Prints a markdown table: per case and backend, the dense and 2:4 medians, effective GFLOP/s
 * (dense-equivalent FLOPs) and the dense/sparse time ratio (the 2:4 speedup), measured in one run.
 */
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { gflopsOf } from './report.js';
import { sparseCases, sparseImplementations } from './sparse.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const valueOf = (flag: string): string | null => {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? '') : null;
};
const only = valueOf('--only');
const backends = valueOf('--backends');

async function median(run: () => unknown): Promise<number | null> {
  const bench = new Bench({ time: quick ? 200 : 1500, iterations: quick ? 2 : 5, warmupIterations: 1, warmupTime: 0 });
  bench.add('x', run);
  await bench.run();
  const r = bench.tasks[0]!.result;
  return r.state === 'completed' ? r.latency.p50 : null;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

async function main(): Promise<void> {
  const cases = sparseCases(quick).filter((c) => only === null || only.split(',').includes(c.id));
  const impls = sparseImplementations().filter((i) => backends === null || backends.split(',').includes(i.backend));
  const lines = [
    '| case | backend | dense ms | 2:4 ms | dense GFLOP/s | 2:4 eff. GFLOP/s | 2:4 speedup |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cases) {
    for (const backend of [...new Set(impls.map((i) => i.backend))]) {
      const ms: Record<string, number | null> = {};
      // Alternate dense and sparse so background load hits both alike.
      for (const impl of impls.filter((i) => i.backend === backend)) {
        const prepared = await impl.prepare(c);
        ms[impl.sparse ? 'sparse' : 'dense'] = prepared === null ? null : await median(prepared.run);
        prepared?.dispose?.();
      }
      const d = ms['dense'] ?? null;
      const s = ms['sparse'] ?? null;
      if (d === null || s === null) continue;
      process.stderr.write(`${c.id} / ${backend}: dense ${d.toFixed(2)} ms, 2:4 ${s.toFixed(2)} ms\n`);
      lines.push(`| ${c.label} | ${backend} | ${fmt(d)} | ${fmt(s)} | ${fmt(gflopsOf(c, d))} | ${fmt(gflopsOf(c, s))} | ${(d / s).toFixed(2)}× |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\nMachine: ${cpus().length}× ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}.\n`);
}

await main();
