/**
 * compressed-tensors' configuration for a `sparse-24-bitmask` model (docs/formats.md §3.3): what
 * sparse24 writes under config.json's `quantization_config`, how it reads one back (including
 * the ones llm-compressor wrote), and compressed-tensors' rules for which modules a `targets` /
 * `ignore` list names.
 *
 * The fields follow compressed-tensors' `SparsityCompressionConfig` (format, targets, ignore,
 * global_sparsity, sparsity_structure) as `ModelCompressor.update_config` writes them, with the
 * `version` and `quant_method` it adds. A quantization part (`config_groups`, stacked int8 +
 * sparsity) is refused on reading: sparse24 reads sparsity only.
 */
import { FormatError } from '../io/errors.js';

/** The compressed-tensors release whose format sparse24 writes (the last one with sparse compressors). */
export const COMPRESSED_TENSORS_VERSION = '0.14.0.1';

export interface SparsityConfig {
  readonly format: 'sparse-24-bitmask';
  readonly sparsityStructure: '2:4';
  /** Layer names, class names (`Linear`) or `re:` patterns the config compresses; null: every module. */
  readonly targets: readonly string[] | null;
  readonly ignore: readonly string[];
  readonly globalSparsity: number;
}

/** The `quantization_config` object of config.json for a sparsity-only compressed-tensors model. */
export function quantizationConfigJson(c: {
  targets: readonly string[];
  ignore: readonly string[];
  globalSparsity: number;
}): Record<string, unknown> {
  return {
    quant_method: 'compressed-tensors',
    version: COMPRESSED_TENSORS_VERSION,
    sparsity_config: {
      format: 'sparse-24-bitmask',
      sparsity_structure: '2:4',
      targets: [...c.targets],
      ignore: [...c.ignore],
      global_sparsity: c.globalSparsity,
      registry_requires_subclass: false,
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(file: string, v: unknown, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string'))
    throw new FormatError(file, `quantization_config.sparsity_config.${field} must be a list of strings`);
  return v;
}

/**
 * Reads the sparsity part of a parsed config.json (`config`), as compressed-tensors would; a
 * missing or unsupported part is a FormatError naming `file` and the field.
 */
export function parseSparsityConfig(file: string, config: unknown): SparsityConfig {
  if (!isObject(config)) throw new FormatError(file, 'expected a JSON object');
  const q = config['quantization_config'] ?? config['compression_config'];
  if (!isObject(q)) throw new FormatError(file, 'has no quantization_config object (not a compressed-tensors model)');
  if (q['quant_method'] !== undefined && q['quant_method'] !== 'compressed-tensors')
    throw new FormatError(
      file,
      `quantization_config.quant_method is ${JSON.stringify(q['quant_method'])}; expected "compressed-tensors"`,
    );
  if (q['config_groups'] !== undefined && q['config_groups'] !== null && Object.keys(q['config_groups']).length > 0)
    throw new FormatError(
      file,
      'quantization_config has config_groups (a quantized model); sparse24 reads sparse-24-bitmask without quantization',
    );
  const s = q['sparsity_config'];
  if (!isObject(s) || Object.keys(s).length === 0)
    throw new FormatError(file, 'quantization_config has no sparsity_config (the model is not sparse-compressed)');
  if (s['format'] !== 'sparse-24-bitmask')
    throw new FormatError(
      file,
      `sparsity_config.format is ${JSON.stringify(s['format'])}; sparse24 reads "sparse-24-bitmask"`,
    );
  const structure = s['sparsity_structure'];
  if (
    structure !== undefined &&
    structure !== null &&
    (typeof structure !== 'string' || structure.toLowerCase() !== '2:4')
  )
    throw new FormatError(file, `sparsity_config.sparsity_structure is ${JSON.stringify(structure)}; expected "2:4"`);
  const g = s['global_sparsity'];
  if (g !== undefined && g !== null && typeof g !== 'number')
    throw new FormatError(file, `sparsity_config.global_sparsity must be a number, found ${JSON.stringify(g)}`);
  const targets = stringList(file, s['targets'], 'targets');
  const ignore = stringList(file, s['ignore'], 'ignore') ?? [];
  for (const t of [...(targets ?? []), ...ignore]) targetPattern(file, t);
  return { format: 'sparse-24-bitmask', sparsityStructure: '2:4', targets, ignore, globalSparsity: g ?? 0 };
}

/** A `re:` target as a RegExp anchored at the start of the name (Python's `re.match`), else null. */
function targetPattern(file: string, target: string): RegExp | null {
  if (!target.startsWith('re:')) return null;
  try {
    return new RegExp(target.slice(3), 'y');
  } catch (e) {
    const why = e instanceof Error ? `: ${e.message}` : '';
    throw new FormatError(
      file,
      `sparsity_config target ${JSON.stringify(target)} is not a valid regular expression${why}`,
    );
  }
}

/**
 * compressed-tensors' `is_match` for one target: `re:<pattern>` matches a name from its start,
 * any other target an exact layer name or one of the module's class names (its own and its
 * ancestors', as Python walks `__mro__`).
 */
export function matchesTarget(name: string, classNames: readonly string[], target: string): boolean {
  const re = targetPattern('<target>', target);
  if (re !== null) {
    re.lastIndex = 0;
    return re.test(name);
  }
  return target === name || classNames.includes(target);
}

/** Whether the config compresses the module: some target matches and no ignore entry does. */
export function isTargeted(config: SparsityConfig, name: string, classNames: readonly string[]): boolean {
  const hit = (list: readonly string[]): boolean => list.some((t) => matchesTarget(name, classNames, t));
  return (config.targets === null || hit(config.targets)) && !hit(config.ignore);
}
