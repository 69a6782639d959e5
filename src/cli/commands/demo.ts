import { DEMO_DATASETS, type DemoOptions, type DemoResult, runDemo } from '../../demo/index.js';
import { FASHION_MNIST_DIR } from '../../nn/data/index.js';
import { listBackends } from '../../tensor/index.js';
import { type Command, UsageError } from '../command.js';
import { choiceOption, intOption } from '../util/options.js';
import { checkOutputDir } from '../util/output_path.js';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);

function summary(r: DemoResult): string {
  const si = r.sparseInference;
  return [
    `${r.dataset} (${r.pattern}, seed ${r.seed}, backend ${r.backend})`,
    `dense accuracy        ${pct(r.dense.accuracy)}`,
    `pruned accuracy       ${pct(r.pruned.accuracy)}`,
    `fine-tuned accuracy   ${pct(r.finetuned.accuracy)}  (${((r.finetuned.accuracy - r.dense.accuracy) * 100).toFixed(2)} points vs dense)`,
    `compressed accuracy   ${pct(si.accuracy)}${si.maxAbsDiff === null ? `  (${si.note ?? 'skipped'})` : `  max |dense − sparse| ${si.maxAbsDiff.toExponential(2)}`}`,
    `magnitude kept        ${r.magnitude.default.toFixed(3)} without permutation, ${r.magnitude.permuted.toFixed(3)} with`,
    `forward (batch ${r.timing.batch})   dense ${r.timing.denseForwardMs.toFixed(1)} ms${r.timing.sparseForwardMs === null ? '' : `, compressed 2:4 ${r.timing.sparseForwardMs.toFixed(1)} ms`}`,
    `total                 ${r.seconds.toFixed(1)} s`,
    `files                 ${r.files.join(', ')}`,
  ].join('\n');
}

/** `sparse24 demo`: the ASP recipe end to end on a small CNN, with a report folder. */
/**
 * Training wants the fastest CPU kernels by default: wasm (SIMD128 on every core) where this
 * JavaScript engine has WebAssembly SIMD, else fast; the oracle and gpu.js stay one flag away.
 */
const BACKENDS = ['wasm', 'fast', 'reference', 'gpu'] as const;
const DEFAULT_BACKEND = listBackends().includes('wasm') ? 'wasm' : 'fast';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'train a small CNN, permute, prune 2:4, fine-tune, run it compressed, and write a report',
  help: [
    'Usage: sparse24 demo [options]',
    '',
    'The full ASP recipe on a small CNN: dense training, channel permutation and 2:4 masks, sparse',
    'fine-tuning, compressed inference checked against the masked dense model, then a checkpoint',
    '(safetensors, apex key names incl. __weight_mma_mask), a compressed-tensors folder',
    '(compressed-tensors/: model.safetensors + config.json, sparse-24-bitmask, loads with compressed-tensors',
    '<= 0.14) and a report folder (report.md, report.json, SVG plots). Progress goes to stderr.',
    '',
    'Options:',
    '  --dataset NAME       digits (embedded, default) | fashion-mnist',
    `  --data-dir DIR       Fashion-MNIST IDX files (default ${FASHION_MNIST_DIR})`,
    '  --epochs N           dense epochs (default 4 digits, 3 fashion-mnist)',
    '  --finetune-epochs N  sparse fine-tuning epochs (default 3 digits, 1 fashion-mnist)',
    '  --train-limit N      use only the first N training images',
    '  --pattern P          mask pattern: m4n2_1d (default), m4n2_2d_best, m4n2_2d_greedy or N:M;',
    '                       a pattern whose masks are not 2:4 along input channels (e.g. 3:4) skips',
    '                       compressed inference and the compressed export, with a note',
    '  --no-permute         compute the masks without channel permutation',
    '  --backend NAME       wasm | fast | reference | gpu (default: $SPARSE24_BACKEND, else wasm:',
    '                       WebAssembly SIMD kernels on $SPARSE24_THREADS threads (default: the',
    '                       cores); fast is register-blocked JS, reference the plain-loop oracle)',
    '  --gpu-mode MODE      gpu.js mode for --backend gpu (webasm, cpu, ...)',
    '  --seed N             random seed (default 0)',
    '  --out DIR            report folder (default sparse24-demo/)',
    '  --json               print one JSON object (the report) on stdout',
    '  --quiet              no progress output',
  ].join('\n'),
  options: {
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    epochs: { type: 'string' },
    'finetune-epochs': { type: 'string' },
    'train-limit': { type: 'string' },
    pattern: { type: 'string' },
    'no-permute': { type: 'boolean' },
    backend: { type: 'string' },
    'gpu-mode': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    if (args.positionals.length > 0)
      throw new UsageError(`demo takes no positional arguments, got '${args.positionals[0]}'`);
    const str = (name: string): string | undefined => {
      const s = v[name];
      if (s === '') throw new UsageError(`--${name} must not be empty`);
      return typeof s === 'string' ? s : undefined;
    };
    const out = str('out') ?? 'sparse24-demo';
    const options: DemoOptions = {
      dataset: choiceOption(v['dataset'], 'dataset', DEMO_DATASETS, 'digits'),
      permute: v['no-permute'] !== true,
      seed: intOption(v['seed'], 'seed', 0, 0),
      out,
    };
    options.backend = choiceOption(
      v['backend'] ?? process.env['SPARSE24_BACKEND'],
      'backend',
      BACKENDS,
      DEFAULT_BACKEND,
    );
    const optional: [keyof DemoOptions & string, string][] = [
      ['dataDir', 'data-dir'],
      ['pattern', 'pattern'],
      ['gpuMode', 'gpu-mode'],
    ];
    for (const [key, flag] of optional) {
      const s = str(flag);
      if (s !== undefined) (options as Record<string, unknown>)[key] = s;
    }
    if (v['epochs'] !== undefined) options.epochs = intOption(v['epochs'], 'epochs', 0, 0);
    if (v['finetune-epochs'] !== undefined)
      options.finetuneEpochs = intOption(v['finetune-epochs'], 'finetune-epochs', 0, 0);
    if (v['train-limit'] !== undefined) options.trainLimit = intOption(v['train-limit'], 'train-limit', 0, 1);
    const quiet = v['quiet'] === true;
    // Before training: an unwritable --out must not surface only after minutes of work.
    await checkOutputDir('demo --out', out);
    const result = await runDemo(options, quiet ? {} : { onProgress: (line) => io.err(line), stream: process.stderr });
    io.out(v['json'] === true ? JSON.stringify(result) : summary(result));
    return 0;
  },
};
