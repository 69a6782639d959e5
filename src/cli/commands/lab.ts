import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/index.js';
import { startLabServer } from '../../lab/server/index.js';
import { type Command, UsageError } from '../command.js';
import { intOption } from '../util/options.js';
import { checkOutputDir } from '../util/output_path.js';

/** Opens the URL in the system browser if there is one; a missing opener is not an error. */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener: the URL on stdout is enough
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'serve the browser lab: masks, permutation search, compressed bytes, kernels in your browser',
  help: [
    'Usage: sparse24 lab [--port N] [--no-open] [--bench-out DIR]',
    '',
    'Serves the lab page on http://127.0.0.1 and prints its URL on the first line of stdout. The page',
    'shows a weight (the demo checkpoint, a random or planted-ties matrix, or a dropped .safetensors, .npy',
    'or .onnx file) and its 2:4 / N:M masks as heatmaps, runs a channel-permutation search live, explains',
    "one 2:4 block's compressed bytes (values, 2-bit indices, the CUTLASS meta word), and benchmarks",
    "dense vs 2:4 kernels on this browser's backends (reference, wasm on 1 and N threads, gpu.js webgl2",
    'and webgpu), with max |Δ| against reference, and runs the demo model compressed on each of them',
    "(sparse24 demo's digits CNN, 2:4; the server trains it on first use, about 5 s, progress on stderr).",
    'The library itself is at /sparse24.js.',
    '',
    'The server sends COOP/COEP headers (cross-origin isolated, so wasm can use threads) and runs',
    'until SIGINT or SIGTERM.',
    '',
    'Options:',
    '  --port N         port to listen on (default 8024; 0 picks a free one)',
    '  --no-open        do not try to open the system browser',
    '  --bench-out DIR  when the page finishes, write its results to DIR/browser.json',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    'no-open': { type: 'boolean' },
    'bench-out': { type: 'string' },
  },
  async run(args, io) {
    const v = args.values;
    if (args.positionals.length > 0) throw new UsageError(`lab: unexpected argument '${args.positionals[0]}'`);
    const port = intOption(v['port'], 'port', 8024, 0);
    if (port > 65535) throw new UsageError(`--port must be an integer in 0..65535, got '${String(v['port'])}'`);
    const benchOut = typeof v['bench-out'] === 'string' ? v['bench-out'] : null;
    if (benchOut !== null) await checkOutputDir('lab --bench-out', benchOut);
    const server = await startLabServer({
      port,
      onLog: (line) => io.err(line),
      onResults: async (results) => {
        if (benchOut === null) return;
        const file = join(benchOut, 'browser.json');
        await writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
        io.err(`lab: wrote the page's results to ${file}`);
      },
    });
    io.out(server.url);
    io.err('lab: serving; press Ctrl+C to stop');
    if (v['no-open'] !== true) openBrowser(server.url);
    const signal = await untilSignal();
    await server.close();
    io.err(`lab: stopped (${signal})`);
    return 0;
  },
};
