/**
 * Dense kernel benchmarks: `npm run bench [-- --quick] [-- --json] [-- --only ID,ID] [-- --no-peers]`.
 * Prints a markdown table (or JSON) and writes the measurements to bench/results/.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { denseCases } from './cases.js';
import type { Implementation } from './implementation.js';
import { onnxruntimePeers } from './peers/onnxruntime.js';
import { tfjsPeers } from './peers/tfjs.js';
import { type Measurement, attachPeerRatios, gflopsOf, markdownTable } from './report.js';
import { sparse24Implementations } from './sparse24-impls.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const noPeers = args.includes('--no-peers');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new Set((args[onlyIdx + 1] ?? '').split(',')) : null;

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

async function main(): Promise<void> {
  const cases = denseCases(quick).filter((c) => only === null || only.has(c.id));
  const impls: Implementation[] = [
    ...sparse24Implementations(['webasm', 'cpu']),
    ...(noPeers ? [] : [...(await tfjsPeers()), ...(await onnxruntimePeers())]),
  ];
  const rows: Measurement[] = [];
  for (const c of cases) {
    for (const impl of impls) {
      const prepared = await impl.prepare(c);
      if (prepared === null) continue;
      // Slow kernels (seconds per call) get the minimum samples; fast ones fill the time budget.
      const bench = new Bench({ time: quick ? 200 : 1500, iterations: quick ? 2 : 5, warmupIterations: 1, warmupTime: 0 });
      bench.add(impl.name, prepared.run);
      await bench.run();
      prepared.dispose?.();
      const task = bench.tasks[0]!;
      const result = task.result;
      if (result.state !== 'completed') {
        log(`${c.id} / ${impl.name}: ${result.state}${'error' in result ? ` (${String(result.error)})` : ''}`);
        continue;
      }
      const medianMs = result.latency.p50;
      rows.push({
        caseId: c.id,
        label: c.label,
        implementation: impl.name,
        peer: impl.peer,
        medianMs,
        samples: result.latency.samplesCount,
        gflops: gflopsOf(c, medianMs),
        ratioToBestPeer: null,
        bestPeer: null,
      });
      log(`${c.id} / ${impl.name}: ${medianMs.toFixed(3)} ms`);
    }
  }
  attachPeerRatios(rows);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const report = { suite: 'dense', date: new Date().toISOString(), quick, machine, rows };
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `dense${quick ? '-quick' : ''}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${markdownTable(rows)}\n\nMachine: ${machine.cpus}× ${machine.cpuModel}, Node ${machine.node}. Written to ${file}\n`);
}

await main();
