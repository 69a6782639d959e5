import {
  DEMO_DATASETS,
  DEMO_METHODS,
  DEMO_MODELS,
  type DemoOptions,
  type DemoResult,
  runDemo,
  variantLabel,
} from '../../demo/index.js';
import { FASHION_MNIST_DIR } from '../../nn/data/index.js';
import { listBackends } from '../../tensor/index.js';
import { type Command, UsageError } from '../command.js';
import { choiceOption, intOption } from '../util/options.js';
import { checkOutputDir } from '../util/output_path.js';

const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`;

function summary(r: DemoResult): string {
  const si = r.sparseInference;
  return [
    `${r.architecture} on ${r.dataset} (${r.method}, ${r.pattern}, seed ${r.seed}, backend ${r.backend})`,
    `dense accuracy        ${pct(r.dense.accuracy)}`,
    `pruned accuracy       ${pct(r.pruned.accuracy)}`,
    `fine-tuned accuracy   ${pct(r.finetuned.accuracy)}  (${((r.finetuned.accuracy - r.dense.accuracy) * 100).toFixed(2)} points vs dense)`,
    `compressed accuracy   ${pct(si.accuracy)}${si.maxAbsDiff === null ? `  (${si.note ?? 'skipped'})` : `  max |dense − sparse| ${si.maxAbsDiff.toExponential(2)}`}`,
    `magnitude kept        ${r.magnitude.default.toFixed(3)} without permutation, ${r.magnitude.permuted.toFixed(3)} with`,
    `forward (batch ${r.timing.batch})   dense ${r.timing.denseForwardMs.toFixed(1)} ms${r.timing.sparseForwardMs === null ? '' : `, compressed 2:4 ${r.timing.sparseForwardMs.toFixed(1)} ms`}`,
    ...(r.comparison === null
      ? []
      : [
          'comparison            one-shot → after training',
          ...r.comparison.rows.map(
            (c) =>
              `  ${variantLabel(c).padEnd(20)}${pct(c.oneShot?.accuracy).padStart(8)} → ${pct(c.trained.accuracy)}`,
          ),
        ]),
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
  summary: 'train a small CNN or ViT, permute, prune 2:4, fine-tune, run it compressed, and write a report',
  help: [
    'Usage: sparse24 demo [options]',
    '',
    'The full ASP recipe on a small CNN (or ViT): dense training, channel permutation and 2:4 masks, sparse',
    'fine-tuning, compressed inference checked against the masked dense model, then a checkpoint',
    '(safetensors, apex key names incl. __weight_mma_mask), a compressed-tensors folder',
    '(compressed-tensors/: model.safetensors + config.json, sparse-24-bitmask, loads with compressed-tensors',
    '<= 0.14) and a report folder (report.md, report.json, SVG plots). Progress goes to stderr.',
    '',
    'Options:',
    '  --model NAME         cnn (default) | vit (a small Vision Transformer: 2 blocks, width 32, 16 tokens)',
    '  --method NAME        magnitude (default: ASP, dense → prune → fine-tune) | wanda | sparsegpt',
    '                       (one-shot on 256 calibration training images, then ASP fine-tuning) |',
    '                       sr-ste (trained sparse from the initialisation for the dense + fine-tune epochs)',
    '  --compare            also run every method side by side from the same dense model (one-shot and',
    '                       fine-tuned, with and without permutation, SR-STE): the comparison section of',
    '                       report.json, a table in report.md and comparison.svg. Default for --model vit',
    '  --no-compare         skip the comparison (with --model vit)',
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
    model: { type: 'string' },
    method: { type: 'string' },
    compare: { type: 'boolean' },
    'no-compare': { type: 'boolean' },
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
      model: choiceOption(v['model'], 'model', DEMO_MODELS, 'cnn'),
      method: choiceOption(v['method'], 'method', DEMO_METHODS, 'magnitude'),
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
    if (v['compare'] === true && v['no-compare'] === true)
      throw new UsageError('--compare and --no-compare contradict each other');
    if (v['compare'] === true) options.compare = true;
    if (v['no-compare'] === true) options.compare = false;
    const quiet = v['quiet'] === true;
    // Before training: an unwritable --out must not surface only after minutes of work.
    await checkOutputDir('demo --out', out);
    const result = await runDemo(options, quiet ? {} : { onProgress: (line) => io.err(line), stream: process.stderr });
    io.out(v['json'] === true ? JSON.stringify(result) : summary(result));
    return 0;
  },
};
