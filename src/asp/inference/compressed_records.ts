/**
 * Finding a layer's compressed 2:4 weight among a file's tensors, in any form sparse24 reads:
 * compressed-tensors' `sparse-24-bitmask` (keys of the module), sparse24's `cutlass-24` (keys of
 * the weight), and, in a single sparse24 file only, the two key layouts earlier sparse24 versions
 * wrote (`<param>.sparse_24_packed_weight` + `.meta`; bitmask keys of the weight).
 */
import { FormatError, type StoredTensor } from '../../io/index.js';
import {
  type Compressed24,
  type SparseStoredRecord,
  type SparsityConfig,
  BITMASK_KEYS,
  bitmaskModuleOf,
  cutlass24KeysIn,
  fromCutlass24,
  fromSparse24Bitmask,
  isTargeted,
} from '../../sparse/index.js';
import { Sparse24Error, joinName } from '../../tensor/index.js';

export interface FoundCompressed {
  readonly weight: Compressed24;
  /** The file's keys that held it. */
  readonly keys: readonly string[];
  readonly format: 'cutlass-24' | 'sparse-24-bitmask';
}

function pick(tensors: ReadonlyMap<string, StoredTensor>, keys: readonly string[]): SparseStoredRecord {
  const rec: SparseStoredRecord = {};
  for (const k of keys) {
    const t = tensors.get(k);
    // F64 and BOOL are no part of these formats; the decoders report the dtype they expected.
    if (t !== undefined && t.dtype !== 'F64' && t.dtype !== 'BOOL') rec[k] = t;
  }
  return rec;
}

/**
 * The compressed weight stored for `param` (`<module>.weight`), or null when there is none.
 * `legacy` also accepts bitmask keys of the weight (`fc.weight.bitmask`), which only earlier
 * sparse24 single files have. A record that cannot be decoded is a FormatError naming `source`.
 */
export function findCompressed(
  tensors: ReadonlyMap<string, StoredTensor>,
  param: string,
  source: string,
  legacy: boolean,
): FoundCompressed | null {
  const decode = (format: FoundCompressed['format'], keys: string[], fn: () => Compressed24): FoundCompressed => {
    try {
      return { weight: fn(), keys: keys.filter((k) => tensors.has(k)), format };
    } catch (e) {
      if (e instanceof Sparse24Error && !(e instanceof FormatError))
        throw new FormatError(source, `${format} record of '${param}' cannot be decoded: ${e.message}`);
      throw e;
    }
  };
  const cutlass = cutlass24KeysIn(param, (k) => tensors.has(k));
  if (cutlass !== null) {
    const keys = [`${param}.${cutlass.values}`, `${param}.${cutlass.meta}`];
    return decode('cutlass-24', keys, () => fromCutlass24(param, pick(tensors, keys)));
  }
  const prefixes = legacy ? [bitmaskModuleOf(param), param] : [bitmaskModuleOf(param)];
  for (const prefix of prefixes) {
    if (!BITMASK_KEYS.some((s) => tensors.has(joinName(prefix, s)))) continue;
    const keys = BITMASK_KEYS.map((s) => joinName(prefix, s));
    const at = prefix === param ? `${param}.weight` : param;
    return decode('sparse-24-bitmask', keys, () => fromSparse24Bitmask(at, pick(tensors, keys)));
  }
  return null;
}

/** The class names a module answers to in compressed-tensors' targets: its own and its ancestors'. */
export function classNamesOf(m: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(m) as object | null; p !== null && p !== Object.prototype; ) {
    const ctor = (p as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
    p = Object.getPrototypeOf(p) as object | null;
  }
  // A SparseLinear stands where a Linear was (as vLLM's LinearBase answers to "Linear").
  if (names.includes('SparseLinear')) names.push('Linear');
  return names;
}

/** Throws a FormatError when the folder holds a compressed record its config.json does not target. */
export function checkTargeted(
  config: SparsityConfig,
  configFile: string,
  module: string,
  m: object,
  keys: readonly string[],
): void {
  if (isTargeted(config, module, classNamesOf(m))) return;
  const list = (l: readonly string[] | null): string => (l === null ? 'all' : JSON.stringify(l));
  throw new FormatError(
    configFile,
    `sparsity_config does not compress '${module}' (targets ${list(config.targets)}, ignore ${list(config.ignore)}) ` +
      `but the weights hold its sparse-24-bitmask record (${keys.join(', ')})`,
  );
}
