import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { saveSafetensors, writeFileAtomic } from '../../io/index.js';
import { type Command, UsageError } from '../command.js';
import { intOption, requiredString } from '../util/options.js';
import { checkOutputDir, outputError } from '../util/output_path.js';
import { buildVectors } from '../util/vectors/build.js';

export const vectorsCommand: Command = {
  name: 'vectors',
  summary: 'write oracle test vectors (weights, masks, compressed bytes, layer outputs) to a folder',
  help: [
    'Usage: sparse24 vectors --out DIR [--seed N] [--json]',
    '',
    'Writes test vectors other implementations can check against: random Linear, Conv1d, Conv2d and',
    'Conv3d weights (float16-grid values, with all-zero groups and ties planted), the mask of each',
    'pattern the shape allows (m4n2_1d, m4n2_2d_best, m4n2_2d_greedy, 1:4, 2:8, 4:8), the N:M',
    'values+indices form, the 2:4 compressed bytes (CUTLASS fp16 packed+meta, as sparse24 cutlass-24',
    "keys, where the shape allows; compressed-tensors' sparse-24-bitmask always), and Linear/spmm/conv inputs with",
    'expected outputs of the masked weight. One <case>.safetensors per weight plus manifest.json,',
    'which names every tensor, its role, pattern, producing function and tolerance.',
    'The same seed always gives byte-identical files.',
    '',
    'Options:',
    '  --out DIR   folder to write into (created if missing; existing files of the same names are replaced)',
    '  --seed N    MT19937 seed, an integer >= 0 (default 0)',
    '  --json      print one JSON object {out, seed, files: [...]} instead of a summary line',
    '',
    'Exit codes: 0 written, 2 bad usage or an unwritable folder.',
  ].join('\n'),
  options: { out: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    if (args.positionals.length > 0)
      throw new UsageError(`vectors: unexpected argument '${args.positionals[0]}' (use --out DIR)`);
    const out = requiredString(args.values['out'], 'out', 'vectors');
    const seed = intOption(args.values['seed'], 'seed', 0, 0);
    await checkOutputDir('vectors --out', out);
    const set = buildVectors(seed);
    try {
      await mkdir(out, { recursive: true });
      for (const [name, tensors] of set.files)
        await saveSafetensors(join(out, name), tensors, { producer: 'sparse24 vectors', seed: String(seed) });
      await writeFileAtomic(
        join(out, 'manifest.json'),
        new TextEncoder().encode(`${JSON.stringify(set.manifest, null, 2)}\n`),
      );
    } catch (e) {
      throw outputError('vectors --out', out, e);
    }
    const files = [...set.files.keys(), 'manifest.json'];
    if (args.values['json'] === true) io.out(JSON.stringify({ out, seed, files }));
    else io.out(`wrote ${files.length} files to ${out} (seed ${seed}): ${files.join(', ')}`);
    return 0;
  },
};
