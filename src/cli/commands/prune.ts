import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PRUNE_FORMATS, type PruneFormat, pruneStateDict } from '../../asp/oneshot.js';
import { saveModelFolder, saveSafetensors } from '../../io/index.js';
import { type Command, UsageError } from '../command.js';
import { choiceOption, onePositional, requiredString } from '../util/options.js';
import { checkOutputDir, checkOutputFile } from '../util/output_path.js';
import { loadTensorFile, tensorFileKind } from '../util/tensor_file.js';

/** The canonical path of a file that may not exist yet (its folder resolved through links). */
async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'one-shot prune a safetensors checkpoint to N:M (2:4 by default), dense or compressed',
  help: [
    'Usage: sparse24 prune IN.safetensors -o OUT [--pattern P] [--format F] [--save-masks] [--json]',
    '',
    "Prunes every eligible weight of a checkpoint along its input channels, by apex's rules: names",
    'ending in .weight of rank 2-5 (Linear, Conv1d/2d/3d), floating point, F32/F16 with dim0 % 8 == 0',
    'and dim1 % 16 == 0 (apex checks no shape for BF16/F64), input channels divisible by M, finite',
    'values. Every other tensor is copied unchanged (same dtype, same bytes). Pruned values become',
    "zeros of the same sign (as apex's p.mul_(mask)); kept values are bit-identical, F16/BF16 stay",
    'F16/BF16. The output is written atomically and may not be the input file.',
    '',
    'Options:',
    '  -o, --output OUT    where to write the pruned checkpoint (required): a .safetensors file, or for',
    '                      sparse-24-bitmask a folder (model.safetensors + config.json)',
    '  --pattern P         m4n2_1d (default), m4n2_2d_best, m4n2_2d_greedy or N:M, e.g. 1:4, 2:8, 4:8',
    '  --format F          dense (default): pruned weights stay dense;',
    "                      cutlass-24: sparse24's own form of PyTorch's CUTLASS layout, Linear weights",
    '                        as <param>.cutlass_24_values + <param>.cutlass_24_meta (F16/BF16 weights',
    '                        with rows % 32 == 0 and cols % 32 == 0, others stay dense);',
    "                      sparse-24-bitmask: compressed-tensors' format (loads with compressed-tensors",
    '                        <= 0.14): OUT is a folder; Linear weights as <module>.compressed,',
    '                        <module>.bitmask, <module>.shape (I64 [2,1]) in model.safetensors, the',
    '                        sparsity_config in config.json. Both sparse formats need a 2:4 (or',
    '                        sparser M=4) pattern.',
    "  --save-masks        also write each mask as apex's buffer <module>.__weight_mma_mask (BOOL, the",
    "                      weight's shape), so the output loads into a model prepared for pruning",
    '  --json              print one JSON object {input, output, pattern, format, tensors: [...]} with each',
    "                      tensor's fate (pruned, compressed, skipped, copied, replaced) and reasons",
    '',
    'Exit codes: 0 written, 2 unreadable or malformed input, or bad usage.',
  ].join('\n'),
  options: {
    output: { type: 'string', short: 'o' },
    pattern: { type: 'string' },
    format: { type: 'string' },
    'save-masks': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    const input = onePositional(args.positionals, 'input checkpoint IN.safetensors', 'prune');
    const output = requiredString(v['output'], 'output', 'prune');
    const format: PruneFormat = choiceOption(v['format'], 'format', PRUNE_FORMATS, 'dense');
    const pattern = typeof v['pattern'] === 'string' ? v['pattern'] : 'm4n2_1d';
    if (tensorFileKind(input) !== 'safetensors')
      throw new UsageError(`prune: input must be a .safetensors checkpoint, got '${input}'`);
    const folder = format === 'sparse-24-bitmask';
    if (!folder && tensorFileKind(output) !== 'safetensors')
      throw new UsageError(`prune: output must end in .safetensors, got '${output}'`);
    if ((await canonical(input)) === (await canonical(output))) {
      throw new UsageError(`prune: refusing to overwrite the input file '${input}'; choose another -o path`);
    }
    if (folder) await checkOutputDir('prune -o', output);
    else await checkOutputFile('prune -o', output);
    const file = await loadTensorFile(input);
    if (file.kind !== 'safetensors')
      throw new UsageError(`prune: '${input}' holds an .npy array, not a safetensors checkpoint`);
    const result = pruneStateDict(
      file.tensors,
      { pattern, format, saveMasks: v['save-masks'] === true },
      file.metadata,
    );
    if (result.quantizationConfig !== null)
      await saveModelFolder(output, result.tensors, result.metadata, {
        quantization_config: result.quantizationConfig,
      });
    else
      await saveSafetensors(
        output,
        result.tensors,
        Object.keys(result.metadata).length > 0 ? result.metadata : undefined,
      );
    const count = (f: string): number => result.report.filter((r) => r.fate === f).length;
    if (v['json'] === true) {
      io.out(
        JSON.stringify({ input, output, pattern, format, saveMasks: v['save-masks'] === true, tensors: result.report }),
      );
    } else {
      for (const r of result.report) {
        if (r.fate === 'copied') continue;
        const kept =
          r.keptMagnitudeFraction === undefined ? '' : ` (kept magnitude ${r.keptMagnitudeFraction.toFixed(4)})`;
        const why = r.reasons.length > 0 ? `: ${r.reasons.join('; ')}` : '';
        io.out(`${r.name}: ${r.fate}${kept}${why}`);
      }
      io.out(
        `wrote ${output}: ${count('pruned') + count('compressed')} weights pruned (${count('compressed')} compressed), ` +
          `${count('skipped')} skipped, ${count('copied')} other tensors copied`,
      );
    }
    return 0;
  },
};
