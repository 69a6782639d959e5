import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import {
  getBackend,
  listBackends,
  relaxedSimd,
  requestedThreads,
  threadSupport,
  wasmAvailable,
} from '../../tensor/index.js';
import type { Command } from '../command.js';
import { version } from '../version.js';

/** The wasm backend here: SIMD128 support and the threads it would run on (without starting them). */
function wasmStatus(): { simd: boolean; relaxed: boolean; threads: number; threadNote: string | null } {
  const support = threadSupport();
  const asked = requestedThreads();
  return {
    simd: wasmAvailable(),
    relaxed: relaxedSimd(),
    threads: support.ok ? asked : 1,
    threadNote: support.ok || asked === 1 ? null : support.reason,
  };
}

/** Which gpu.js modes can run here: webasm and cpu need only gpu.js; headlessgl needs the optional `gl`. */
function gpuModes(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const modes: Record<string, string> = {};
  let gpuJs = true;
  try {
    require.resolve('gpu.js');
  } catch {
    gpuJs = false;
  }
  modes['webasm'] = gpuJs ? 'available' : 'unavailable (gpu.js not installed)';
  modes['cpu'] = modes['webasm'];
  try {
    require('gl');
    modes['headlessgl'] = 'available (needs a display or xvfb-run)';
  } catch {
    modes['headlessgl'] = "unavailable (optional package 'gl' not installed or not built)";
  }
  return modes;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'version, backends and gpu.js modes available on this machine',
  help: [
    'Usage: sparse24 info [--json]',
    '',
    "Prints the version, the kernel backends, the active backend, the wasm backend's threads and which gpu.js modes work here.",
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const info = {
      version: version(),
      node: process.version,
      cpus: cpus().length,
      backends: listBackends(),
      activeBackend: getBackend(),
      gpuMode: process.env['SPARSE24_GPU_MODE'] ?? 'webasm',
      gpuModes: gpuModes(),
      wasm: wasmStatus(),
    };
    if (args.values['json'] === true) io.out(JSON.stringify(info));
    else {
      io.out(
        [
          `sparse24 ${info.version} (Node ${info.node}, ${info.cpus} CPUs)`,
          `backends: ${info.backends.join(', ')} (active: ${info.activeBackend}; set SPARSE24_BACKEND)`,
          `wasm: ${info.wasm.simd ? `${info.wasm.relaxed ? 'relaxed SIMD (FMA)' : 'SIMD128'}, ${info.wasm.threads} thread(s) (set SPARSE24_THREADS)` : 'unavailable (no WebAssembly SIMD128)'}${info.wasm.threadNote === null ? '' : `; ${info.wasm.threadNote}`}`,
          `gpu.js mode: ${info.gpuMode} (set SPARSE24_GPU_MODE)`,
          ...Object.entries(info.gpuModes).map(([m, s]) => `  ${m}: ${s}`),
        ].join('\n'),
      );
    }
    return 0;
  },
};
