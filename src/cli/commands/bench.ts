import {
  type BenchReport,
  type BenchSuite,
  backendNames,
  denseCases,
  markdownTable,
  runBench,
  writeBenchReport,
} from '../../bench/index.js';
import { requestedThreads } from '../../tensor/index.js';
import { type Command, UsageError } from '../command.js';
import { choiceOption } from '../util/options.js';
import { checkOutputDir, outputError } from '../util/output_path.js';

const SUITES: readonly BenchSuite[] = ['dense', 'sparse', 'all'];

function list(v: string | boolean | undefined): string[] | null {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : null;
}

/** --only must name cases this run has: an unknown id would otherwise give an empty table and exit 0. */
function checkOnly(only: string[] | null, quick: boolean): void {
  if (only === null) return;
  const run = denseCases(quick).map((c) => c.id);
  const all = denseCases(false).map((c) => c.id);
  if (only.length === 0) throw new UsageError(`--only: expected comma-separated case ids: ${run.join(', ')}`);
  for (const id of only) {
    if (run.includes(id)) continue;
    if (all.includes(id))
      throw new UsageError(
        `--only: case '${id}' is not part of a --quick run; with --quick the cases are ${run.join(', ')}`,
      );
    throw new UsageError(`--only: unknown case '${id}'; expected ${run.join(', ')}`);
  }
}

/**
 * writeBenchReport, with a failure (checked for up front, but the folder may change meanwhile) as
 * bad input naming --out.
 */
async function writeReport(out: string, report: BenchReport): Promise<string> {
  try {
    return await writeBenchReport(out, report);
  } catch (e) {
    throw outputError('bench --out', out, e);
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'tinybench suites: dense and 2:4 kernels per backend, beside onnxruntime-node and TensorFlow.js',
  help: [
    'Usage: sparse24 bench [options]',
    '',
    'Measures the kernels on the standard shapes (GEMM 256²/512²/1024², linear 64×1024→1024,',
    '256×1024→1024 and 1×4096→4096, the ResNet 3×3 conv 8×64×56×56) and prints a markdown table: median time,',
    'GFLOP/s (dense-equivalent for 2:4 rows), the ratio to the fastest peer, and the 2:4 speedup over',
    "the same backend's dense kernel measured in the same run. Progress goes to stderr.",
    '',
    'Options:',
    '  --suite S        dense | sparse | all (default all)',
    '  --quick          two small shapes, fewer samples (a smoke run)',
    '  --only IDS       comma-separated case ids (gemm-256, gemm-512, gemm-1024, linear-64x1024x1024,',
    '                   linear-256x1024x1024, linear-1x4096x4096, conv2d-resnet)',
    '  --backends LIST  comma-separated: reference, fast, wasm/1t, wasm/<T>t, gpu/webasm, gpu/cpu (default all)',
    '  --threads T      threads of the multi-threaded wasm rows (default $SPARSE24_THREADS or the core count);',
    '                   wasm also runs on 1 thread, like the single-threaded peers (tfjs-wasm under Node)',
    '  --no-peers       skip onnxruntime-node and TensorFlow.js',
    '  --out DIR        also write DIR/<suite>[-quick].json',
    '  --json           print the report as one JSON object instead of the table',
    '',
    'Timings depend on the machine and on whatever else runs on it; the report records the machine.',
  ].join('\n'),
  options: {
    suite: { type: 'string' },
    quick: { type: 'boolean' },
    only: { type: 'string' },
    backends: { type: 'string' },
    threads: { type: 'string' },
    'no-peers': { type: 'boolean' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    if (args.positionals.length > 0)
      throw new UsageError(`bench takes no positional arguments, got '${args.positionals[0]}'`);
    const suite = choiceOption(v['suite'], 'suite', SUITES, 'all');
    const backends = list(v['backends']);
    const threads = v['threads'] === undefined ? requestedThreads() : Number(v['threads']);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new UsageError(`--threads: expected an integer in 1..256, got '${String(v['threads'])}'`);
    }
    const gpuModes = ['webasm', 'cpu'];
    const known = backendNames(gpuModes, threads);
    for (const b of backends ?? []) {
      if (!known.includes(b)) throw new UsageError(`--backends: unknown backend '${b}'; expected ${known.join(', ')}`);
    }
    const quick = v['quick'] === true;
    const only = list(v['only']);
    checkOnly(only, quick);
    const out = typeof v['out'] === 'string' ? v['out'] : null;
    if (out !== null) await checkOutputDir('bench --out', out);
    const report = await runBench({
      suite,
      quick,
      only,
      backends,
      peers: v['no-peers'] !== true,
      gpuModes,
      threads,
      onProgress: (line) => io.err(line),
    });
    const written = out === null ? null : await writeReport(out, report);
    if (v['json'] === true) io.out(JSON.stringify(report));
    else {
      const m = report.machine;
      io.out(
        `${markdownTable(report.rows)}\n\nMachine: ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, wasm ${m.wasmSimd}.${written === null ? '' : ` Written to ${written}.`}`,
      );
    }
    return 0;
  },
};
