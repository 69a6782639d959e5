import {
  type BenchReport,
  type BenchSuite,
  backendNames,
  browserBackendNames,
  denseCases,
  markdownTable,
  runBench,
  writeBenchReport,
} from '../../bench/index.js';
import { requestedThreads } from '../../tensor/index.js';
import { type Command, type CommandIO, UsageError } from '../command.js';
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

/** --threads: an integer in 1..256, or null when not given. */
function threadsOption(raw: string | boolean | undefined): number | null {
  if (raw === undefined) return null;
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new UsageError(`--threads: expected an integer in 1..256, got '${String(raw)}'`);
  }
  return threads;
}

/**
 * The browser run's backends and wasm thread count. Without --threads the page uses
 * navigator.hardwareConcurrency, so any `wasm/<n>t` is accepted and sets it; with --threads only
 * `wasm/<T>t` is. The Node-only kernel sets (fast, gpu.js webasm/cpu) are named as such.
 */
function browserBackends(
  backends: string[] | null,
  threads: number | null,
): { backends: string[] | null; threads: number | null } {
  let t = threads;
  for (const b of t === null ? (backends ?? []) : []) {
    const n = Number(/^wasm\/(\d+)t$/.exec(b)?.[1]);
    if (n > 1 && n <= 256) {
      t = n;
      break;
    }
  }
  const allowed = browserBackendNames(t ?? 1);
  const shown = t === null ? ['reference', 'wasm/1t', 'wasm/<T>t', 'gpu/webgl2', 'gpu/webgpu'] : allowed;
  for (const b of backends ?? []) {
    if (allowed.includes(b)) continue;
    const nodeOnly = backendNames(['webasm', 'cpu'], 1).includes(b) ? ` ('${b}' is a Node backend)` : '';
    throw new UsageError(`--backends: unknown browser backend '${b}'${nodeOnly}; expected ${shown.join(', ')}`);
  }
  return { backends, threads: t };
}

/** --timeout: seconds, a positive number. */
function timeoutOption(raw: string | boolean | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_S;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout: expected seconds > 0, got '${String(raw)}'`);
  return s;
}

const DEFAULT_TIMEOUT_S = 1800;

/**
 * writeBenchReport, with a failure (checked for up front, but the folder may change meanwhile) as
 * bad input naming --out.
 */
async function writeReport(out: string, report: BenchReport, prefix: string): Promise<string> {
  try {
    return await writeBenchReport(out, report, prefix);
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
    '  --out DIR        also write DIR/<suite>[-quick].json (with --browser: DIR/browser-<suite>[-quick].json)',
    '  --json           print the report as one JSON object instead of the table',
    '',
    'In a browser:',
    '  --browser        run the same cases in headless Chromium instead: the lab server (127.0.0.1, a free',
    "                   port, cross-origin isolated) serves /bench.html, which times this browser's",
    '                   backends, dense and 2:4 each: reference, wasm/1t, wasm/<T>t (T = --threads, else',
    '                   navigator.hardwareConcurrency; each wasm row records the threads that actually ran),',
    '                   gpu/webgl2 and gpu/webgpu (gpu.js; SwiftShader software rendering in headless',
    '                   Chromium, so a check of correctness, not of GPU speed). Every row has max |Δ|',
    "                   against the reference backend's output; a backend that throws is listed under",
    '                   failures, not fatal. There are no peers in a browser (--no-peers changes nothing;',
    "                   the ratio to the best peer is empty), and fast, gpu/webasm and gpu/cpu are Node's.",
    '                   The time of a row is the median of samples after a warm-up call, within a time',
    '                   budget per row (150 ms with --quick, 1 s otherwise; a slower call is sampled once).',
    '  --chromium PATH  the Chromium binary (default $SPARSE24_CHROMIUM, else /usr/bin/chromium); a missing',
    '                   one is exit 2 (apt-get install -y chromium)',
    `  --timeout S      give up (exit 2) when the page has not finished after S seconds (default ${DEFAULT_TIMEOUT_S})`,
    '',
    'Timings depend on the machine and on whatever else runs on it; the report records the machine',
    '(with --browser also the user agent, hardwareConcurrency, cross-origin isolation, WebGPU adapter).',
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
    browser: { type: 'boolean' },
    chromium: { type: 'string' },
    timeout: { type: 'string' },
  },
  async run(args, io) {
    const v = args.values;
    if (args.positionals.length > 0)
      throw new UsageError(`bench takes no positional arguments, got '${args.positionals[0]}'`);
    const suite = choiceOption(v['suite'], 'suite', SUITES, 'all');
    const backends = list(v['backends']);
    if (v['browser'] === true) return runInBrowser(v, suite, backends, io);
    for (const o of ['chromium', 'timeout'])
      if (v[o] !== undefined) throw new UsageError(`--${o} goes with --browser (it sets up the browser run)`);
    const threads = threadsOption(v['threads']) ?? requestedThreads();
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
    const written = out === null ? null : await writeReport(out, report, '');
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

/** `bench --browser`: the same cases and report, measured in headless Chromium (see the help). */
async function runInBrowser(
  v: Record<string, string | boolean | undefined>,
  suite: BenchSuite,
  requested: string[] | null,
  io: CommandIO,
): Promise<number> {
  const { backends, threads } = browserBackends(requested, threadsOption(v['threads']));
  const quick = v['quick'] === true;
  const only = list(v['only']);
  checkOnly(only, quick);
  const timeoutS = timeoutOption(v['timeout']);
  const chromium = typeof v['chromium'] === 'string' ? v['chromium'] : undefined;
  const out = typeof v['out'] === 'string' ? v['out'] : null;
  if (out !== null) await checkOutputDir('bench --out', out);
  // puppeteer-core is loaded only for a browser run, not by every CLI start.
  const { runBrowserBench } = await import('../../lab/server/browser_bench.js');
  const report = await runBrowserBench({
    suite,
    quick,
    only,
    backends,
    threads,
    chromium,
    timeoutMs: timeoutS * 1000,
    onProgress: (line) => io.err(line),
  });
  const written = out === null ? null : await writeReport(out, report, 'browser-');
  if (v['json'] === true) {
    io.out(JSON.stringify(report));
    return 0;
  }
  const b = report.machine.browser;
  const failures = (report.failures ?? []).map((f) => `- ${f.label} / ${f.implementation}: ${f.error}`);
  io.out(
    [
      markdownTable(report.rows),
      ...(failures.length === 0 ? [] : ['', 'Failed rows:', ...failures]),
      '',
      `Browser: ${b?.userAgent ?? 'unknown'}, ${b?.hardwareConcurrency ?? '?'} cores, cross-origin isolated: ${b?.crossOriginIsolated ?? '?'}` +
        `${
          b?.webgpuAdapter
            ? `, WebGPU adapter: ${Object.values(b.webgpuAdapter)
                .filter((s) => s !== '')
                .join(' / ')}`
            : ''
        }.` +
        ` Host: ${report.machine.cpus}× ${report.machine.cpuModel}.${written === null ? '' : ` Written to ${written}.`}`,
    ].join('\n'),
  );
  return 0;
}
