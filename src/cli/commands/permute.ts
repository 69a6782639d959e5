import { type StoredTensor, describeOverflow, float32Overflow, toFloat32 } from '../../io/index.js';
import {
  DEFAULT_TIME_LIMIT,
  type StopReason,
  searchPermutation,
  searchStrategyNames,
} from '../../permutation/index.js';
import { toView } from '../../sparse/view2d.js';
import { type Command, UsageError } from '../command.js';
import { intOption, numberOption } from '../util/options.js';
import { loadTensorFile } from '../util/tensor_file.js';

async function readTensor(file: string, name: string | undefined): Promise<{ name: string; tensor: StoredTensor }> {
  const st = await loadTensorFile(file);
  if (st.kind === 'npy') {
    if (name !== undefined) throw new UsageError(`--tensor only applies to safetensors files; '${file}' is .npy`);
    return { name: file, tensor: [...st.tensors.values()][0]! };
  }
  if (name !== undefined) {
    const t = st.tensors.get(name);
    if (!t)
      throw new UsageError(
        `'${file}' has no tensor '${name}'; it has: ${[...st.tensors.keys()].join(', ') || '(none)'}`,
      );
    return { name, tensor: t };
  }
  if (st.tensors.size !== 1) {
    throw new UsageError(
      `'${file}' holds ${st.tensors.size} tensors; choose one with --tensor NAME (${[...st.tensors.keys()].slice(0, 8).join(', ')})`,
    );
  }
  const [entry] = st.tensors;
  return { name: entry![0], tensor: entry![1] };
}

function describeStop(stopped: StopReason, strategy: string, timeLimit: number): string {
  if (stopped === 'time-limit') return `time-limit (${timeLimit} s reached; best arrangement found so far)`;
  if (stopped === 'budget') return `budget (${strategy === 'random' ? '--trials' : 'attempts'} used up)`;
  return 'converged';
}

/** `sparse24 permute FILE`: search a column permutation of one weight that keeps more under 2:4. */
export const permuteCommand: Command = {
  name: 'permute',
  summary: 'search a channel permutation of a weight (.npy, safetensors or .onnx) that keeps more magnitude under 2:4',
  // A getter, so strategies registered before the command runs are listed.
  get help() {
    return [
      'Usage: sparse24 permute FILE [options]',
      '',
      'Reads one 2-D (rows × columns) or 4-D KCRS weight from a .npy or safetensors file (or an ONNX',
      'layer weight, in [out, in] order as `check` reads it) and searches a permutation of its columns',
      '(input channels; 4-D uses the Conv2d view (R·S·K) × C) that keeps more magnitude under 2:4, as',
      'apex ASP does. Reports kept magnitude before/after and efficacy.',
      '',
      'Options:',
      `  --strategy NAME   ${searchStrategyNames().join(' | ')} (default osg)`,
      '  --window N        osg stripe-group width in columns: 8, 12 or 16 (default 8)',
      '  --escapes N       bounded regressions after convergence, osg and channel-swap (default 0)',
      '  --time-limit S    seconds any strategy may search, a finite number > 0 (default 60); progressive',
      '                    uses all of it, the others stop earlier when they converge. A search cut',
      '                    short returns the best arrangement it reached.',
      '  --trials N        random: permutations to try (default 1000)',
      '  --seed N          random stream seed (default 1)',
      '  --tensor NAME     which tensor of a safetensors file',
      '  --json            print one JSON object (with `stopped`: converged, time-limit or budget);',
      '                    without --json, progress lines go to stderr',
    ].join('\n');
  },
  options: {
    strategy: { type: 'string' },
    window: { type: 'string' },
    escapes: { type: 'string' },
    'time-limit': { type: 'string' },
    trials: { type: 'string' },
    seed: { type: 'string' },
    tensor: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    if (args.positionals.length !== 1)
      throw new UsageError(`permute: expected one FILE, got ${args.positionals.length} arguments`);
    const file = args.positionals[0]!;
    const strategy = (v['strategy'] ?? 'osg') as string;
    if (!searchStrategyNames().includes(strategy)) {
      throw new UsageError(`--strategy must be one of ${searchStrategyNames().join(', ')}, got '${strategy}'`);
    }
    const window = intOption(v['window'], 'window', 8, 8);
    if (![8, 12, 16].includes(window))
      throw new UsageError(`--window must be 8, 12 or 16, got '${String(v['window'])}'`);
    const escapes = intOption(v['escapes'], 'escapes', 0, 0);
    const trials = intOption(v['trials'], 'trials', 1000, 1);
    const seed = intOption(v['seed'], 'seed', 1, 0);
    // Checked here, not left to the library, so a bad value is a usage error (exit 2), not a crash.
    const timeLimit = numberOption(v['time-limit'], 'time-limit', DEFAULT_TIME_LIMIT);
    const tensorName = typeof v['tensor'] === 'string' ? v['tensor'] : undefined;
    const { name, tensor } = await readTensor(file, tensorName);
    const shape = tensor.shape;
    if (shape.length !== 2 && shape.length !== 4) {
      throw new UsageError(
        `tensor '${name}' has shape [${shape.join(', ')}]; expected 2-D (rows × columns) or 4-D (K, C, R, S)`,
      );
    }
    // Before building the view: an empty tensor may claim huge dimensions ([1e15, 8, 0, 3] holds no bytes).
    if (tensor.data.length === 0)
      throw new UsageError(
        `tensor '${name}' has shape [${shape.join(', ')}], which holds no elements; nothing to permute`,
      );
    const overflow = float32Overflow(tensor);
    if (overflow !== null)
      throw new UsageError(`tensor '${name}': ${describeOverflow(overflow)}; the permutation search works in float32`);
    const view = toView(toFloat32(tensor), shape);
    if (view.cols % 4 !== 0 || view.cols < 8) {
      throw new UsageError(
        `tensor '${name}' has ${view.cols} columns (input channels); a permutation search needs a multiple of 4, at least 8`,
      );
    }
    const json = v['json'] === true;
    // Progress goes to stderr whenever the output is for people, TTY or not (a log file
    // should show a long search is alive too); --json keeps stderr for errors only.
    const r = searchPermutation(view.data, view.rows, view.cols, {
      strategy,
      window,
      escapes,
      trials,
      seed,
      timeLimit,
      ...(json ? {} : { onProgress: (m: string) => io.err(`permute: ${m}`) }),
    });
    const report = {
      rows: view.rows,
      cols: view.cols,
      unpruned: r.unpruned,
      default24: r.default24,
      bound: r.bound,
      permuted: r.permuted,
      efficacy: r.efficacy,
      seconds: r.seconds,
      stopped: r.stopped,
      permutation: Array.from(r.permutation),
    };
    if (json) io.out(JSON.stringify(report));
    else {
      io.out(
        [
          `${name}: ${view.rows} × ${view.cols}, strategy ${strategy}${strategy === 'osg' ? ` (window ${window})` : ''}`,
          `unpruned      ${r.unpruned.toFixed(3)}`,
          `50% per row   ${r.bound.toFixed(3)} (bound)`,
          `default 2:4   ${r.default24.toFixed(3)}`,
          `permuted 2:4  ${r.permuted.toFixed(3)}  efficacy ${(r.efficacy * 100).toFixed(1)}%  ${r.seconds.toFixed(3)} s`,
          `stopped       ${describeStop(r.stopped, strategy, timeLimit)}`,
          `permutation   ${report.permutation.join(',')}`,
        ].join('\n'),
      );
    }
    return 0;
  },
};
