/**
 * One-shot pruning of a whole checkpoint (a state dict read from a file), without building a
 * model: apex's `init_model_for_pruning` + `compute_sparse_masks` decided by names and shapes.
 *
 * Which tensors are pruned (docs/apex-asp.md §1.2, decided from the checkpoint alone):
 * - a name ending in `.weight` and rank 2 to 5 (Linear, Conv1d/2d/3d; rank 5 is our extension,
 *   apex crashes on it), of a floating-point dtype;
 * - apex's tensor-core filter for F32 and F16 only: dim0 % 8 == 0 and dim1 % 16 == 0 (dim1 is
 *   in_channels/groups for Conv). Apex applies no filter to BF16 and F64; neither do we, but
 *   the input-channel dim must still split into groups of M;
 * - finite values (a NaN or Inf weight is skipped with a reason instead of masked), and for F64
 *   values within float32's range (masks are computed in float32; the reason names the stored value).
 * Everything else is copied unchanged: same dtype, same bytes.
 *
 * Pruning works on float32 values (F16/BF16 widen exactly), then zeroes the pruned elements in
 * the tensor's own storage, so every kept value is bit-identical to the input. A pruned element
 * becomes a zero of the same sign, as apex's `p.mul_(mask)` leaves it (-w * 0 = -0).
 */
import {
  type Compressed24,
  TENSOR_CORE_RULE,
  compressWeight,
  createMask,
  isTensorCoreShape,
  keptMagnitude,
  patternNM,
  quantizationConfigJson,
  toCutlass24,
  toSparse24Bitmask,
  type SparseStoredRecord,
} from '../sparse/index.js';
import { ShapeError, Sparse24Error, ValueError } from '../tensor/errors.js';
import { formatShape } from '../tensor/shape.js';
import { type StoredTensor, describeOverflow, float32Overflow, toFloat32 } from '../io/index.js';
import { maskBufferKey } from '../nn/index.js';

// The pattern table and the kept-magnitude share live in sparse; one-shot pruning has always exported them.
export { keptMagnitude, patternNM } from '../sparse/index.js';

/** dense; cutlass-24: sparse24's CUTLASS-layout keys; sparse-24-bitmask: compressed-tensors' (a folder). */
export type PruneFormat = 'dense' | 'cutlass-24' | 'sparse-24-bitmask';
export const PRUNE_FORMATS: readonly PruneFormat[] = ['dense', 'cutlass-24', 'sparse-24-bitmask'];

export interface PruneOptions {
  /** Mask pattern: 'm4n2_1d' (default), 'm4n2_2d_best', 'm4n2_2d_greedy' or 'N:M'. */
  readonly pattern?: string;
  /** How pruned Linear weights are stored (default 'dense'). */
  readonly format?: PruneFormat;
  /** Also write apex's mask buffers `<module>.__weight_mma_mask` (BOOL). */
  readonly saveMasks?: boolean;
}

export type Fate = 'pruned' | 'compressed' | 'skipped' | 'copied' | 'replaced';

/** What happened to one input tensor. */
export interface TensorFate {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /**
   * pruned: masked, stored dense; compressed: masked, stored in the sparse format; skipped: a
   * weight that was not pruned (see reasons); copied: not a weight; replaced: an old mask buffer
   * superseded by a new one.
   */
  readonly fate: Fate;
  readonly reasons: readonly string[];
  /** Keys this tensor produced in the output. */
  readonly outputKeys: readonly string[];
  /** Share of sum |w| the mask kept (pruned/compressed only). */
  readonly keptMagnitudeFraction?: number;
}

export interface PruneResult {
  readonly tensors: Map<string, StoredTensor>;
  readonly metadata: Record<string, string>;
  /** config.json's `quantization_config` for sparse-24-bitmask (written beside model.safetensors), else null. */
  readonly quantizationConfig: Record<string, unknown> | null;
  readonly report: readonly TensorFate[];
}

export interface Eligibility {
  /** A Linear/Conv weight by name and rank (the tensors check and prune look at). */
  readonly candidate: boolean;
  /** A candidate that passes every rule and can be pruned with this pattern. */
  readonly eligible: boolean;
  readonly reasons: readonly string[];
}

const FLOATS = new Set(['F32', 'F16', 'BF16', 'F64']);

/**
 * Which tensors are pruning candidates at all: parameters named `*.weight` (unless the caller has
 * no names, as for a bare .npy array) of rank >= 2. Null for a candidate, else the verdict.
 */
export function candidacy(name: string, rank: number, requireWeightName: boolean): Eligibility | null {
  if (requireWeightName && !name.endsWith('.weight'))
    return { candidate: false, eligible: false, reasons: ["not a '.weight' parameter"] };
  if (rank < 2) {
    return {
      candidate: false,
      eligible: false,
      reasons: [`rank ${rank}: only Linear/Conv weights (rank >= 2) are pruned`],
    };
  }
  return null;
}

/** The reason a candidate of this rank cannot be masked (the mask view covers ranks 2 to 5), or null. */
export function rankLimit(rank: number): string | null {
  return rank > 5 ? `rank ${rank}: the mask view covers Linear and Conv1d/2d/3d weights (rank 2 to 5) only` : null;
}

/**
 * The pruning rules above for one tensor. `requireWeightName` is false for a bare .npy array,
 * which has no parameter name to go by.
 */
export function weightEligibility(name: string, t: StoredTensor, m: number, requireWeightName = true): Eligibility {
  const rank = t.shape.length;
  const notCandidate = candidacy(name, rank, requireWeightName);
  if (notCandidate !== null) return notCandidate;
  const reasons: string[] = [];
  if (!FLOATS.has(t.dtype)) reasons.push(`dtype ${t.dtype} is not a floating-point weight`);
  const tooHigh = rankLimit(rank);
  if (tooHigh !== null) reasons.push(tooHigh);
  if ((t.dtype === 'F32' || t.dtype === 'F16') && !isTensorCoreShape(t.shape)) {
    reasons.push(`shape ${formatShape(t.shape)} fails apex's tensor-core rule for ${t.dtype} (${TENSOR_CORE_RULE})`);
  }
  if (t.shape[1]! % m !== 0) reasons.push(`input channels ${t.shape[1]} are not divisible by M=${m}`);
  if (reasons.length === 0) {
    // Judge the values the file holds: F64 is read as stored, since narrowing to float32 would
    // turn a finite 1e300 into Infinity and the reason would name a value the file does not have.
    // F32/F16/BF16 widen to float32 exactly.
    const values: ArrayLike<number> = t.dtype === 'F64' ? t.data : toFloat32(t);
    let bad = -1;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        bad = i;
        break;
      }
    }
    if (bad >= 0) reasons.push(`non-finite value ${values[bad]} at flat index ${bad}; masks need finite weights`);
    const overflow = float32Overflow(t);
    if (overflow !== null) reasons.push(`${describeOverflow(overflow)}; masks are computed in float32`);
  }
  return { candidate: true, eligible: reasons.length === 0, reasons };
}

/** The tensor with unkept elements replaced by a zero of the same sign, in its own dtype. */
export function applyMask(t: StoredTensor, mask: Uint8Array): StoredTensor {
  switch (t.dtype) {
    case 'F16':
    case 'BF16': {
      const data = t.data.slice();
      for (let i = 0; i < data.length; i++) if (!mask[i]) data[i] = data[i]! & 0x8000;
      return { dtype: t.dtype, shape: [...t.shape], data };
    }
    case 'F32':
    case 'F64': {
      const data = t.data.slice();
      for (let i = 0; i < data.length; i++) if (!mask[i]) data[i] = data[i]! * 0;
      return { dtype: t.dtype, shape: [...t.shape], data } as StoredTensor;
    }
    default:
      throw new ValueError(`applyMask: dtype ${t.dtype} is not a floating-point weight`);
  }
}

function sparseRecord(
  name: string,
  t: StoredTensor,
  view: Compressed24,
  format: PruneFormat,
): SparseStoredRecord | string {
  if (t.shape.length !== 2)
    return `${format} stores Linear (2-D) weights; this rank-${t.shape.length} weight is kept dense`;
  // The mask view of an empty weight has 0 rows (so no loop walks a claimed 1e15 rows), but the
  // record must store the weight's own shape: [16, 0] stays [16, 0], not [0, 0]. The exporters
  // walk no rows when there are no columns.
  const c: Compressed24 = view.rows === t.shape[0] ? view : { ...view, rows: t.shape[0]! };
  if (format === 'cutlass-24') {
    if (t.dtype !== 'F16' && t.dtype !== 'BF16') {
      return `cutlass-24 (the CUTLASS layout) holds fp16/bf16 values; this ${t.dtype} weight is kept dense (convert the checkpoint to F16 or BF16 first)`;
    }
    try {
      return toCutlass24(name, c, t.dtype === 'F16' ? 'float16' : 'bfloat16');
    } catch (e) {
      if (e instanceof ShapeError) return `${e.message}; kept dense`;
      throw e;
    }
  }
  if (t.dtype === 'F64') return 'sparse-24-bitmask holds F32/F16/BF16 values; this F64 weight is kept dense';
  return toSparse24Bitmask(name, c, t.dtype === 'F32' ? 'float32' : t.dtype === 'F16' ? 'float16' : 'bfloat16');
}

/**
 * Prunes every eligible weight of a state dict (rules at the top of this file). The result has
 * the pruned or compressed weights, every other tensor unchanged, optional mask buffers, the
 * input metadata, for sparse-24-bitmask the `quantization_config` its config.json needs, and a
 * report per input tensor, in input order.
 */
export function pruneStateDict(
  input: Map<string, StoredTensor> | Record<string, StoredTensor>,
  options: PruneOptions = {},
  metadata: Record<string, string> = {},
): PruneResult {
  const pattern = options.pattern ?? 'm4n2_1d';
  const format = options.format ?? 'dense';
  if (!PRUNE_FORMATS.includes(format))
    throw new ValueError(`pruneStateDict: unknown format '${String(format)}'; expected ${PRUNE_FORMATS.join(', ')}`);
  const { n, m } = patternNM(pattern);
  if (format !== 'dense' && (m !== 4 || n > 2)) {
    throw new ValueError(`format ${format} stores 2:4 weights; pattern '${pattern}' is ${n}:${m} (use --format dense)`);
  }
  const entries = input instanceof Map ? [...input] : Object.entries(input);
  const names = new Set(entries.map(([k]) => k));
  const out = new Map<string, StoredTensor>();
  const report: TensorFate[] = [];
  const newMasks = new Set<string>();
  const compressedModules: string[] = [];
  const denseModules: string[] = [];
  let zeros = 0;
  let total = 0;

  for (const [name, t] of entries) {
    const base = { name, dtype: t.dtype, shape: [...t.shape] };
    const e = weightEligibility(name, t, m);
    if (!e.candidate) continue; // handled in the copy pass below
    if (!e.eligible) {
      out.set(name, t);
      report.push({ ...base, fate: 'skipped', reasons: e.reasons, outputKeys: [name] });
      continue;
    }
    const values = toFloat32(t);
    let mask: Uint8Array;
    try {
      mask = createMask(values, t.shape, pattern);
    } catch (err) {
      if (!(err instanceof Sparse24Error)) throw err;
      out.set(name, t);
      report.push({ ...base, fate: 'skipped', reasons: [err.message], outputKeys: [name] });
      continue;
    }
    const keptMagnitudeFraction = keptMagnitude(values, mask);
    const keys: string[] = [];
    const reasons: string[] = [];
    let fate: Fate = 'pruned';
    const sparse =
      format === 'dense'
        ? null
        : sparseRecord(name, t, compressWeight(values, mask, t.shape, 2, 4) as Compressed24, format);
    if (sparse !== null && typeof sparse !== 'string') {
      for (const [k, v] of Object.entries(sparse)) {
        if (names.has(k))
          throw new ValueError(`pruneStateDict: output key '${k}' for ${name} already names an input tensor`);
        out.set(k, v);
        keys.push(k);
      }
      fate = 'compressed';
      compressedModules.push(name.slice(0, -'.weight'.length));
      for (const bit of mask) if (!bit) zeros++;
      total += mask.length;
    } else {
      if (typeof sparse === 'string') {
        reasons.push(sparse);
        denseModules.push(name.slice(0, -'.weight'.length));
      }
      out.set(name, applyMask(t, mask));
      keys.push(name);
    }
    if (options.saveMasks === true) {
      const key = maskBufferKey(name);
      out.set(key, { dtype: 'BOOL', shape: [...t.shape], data: mask });
      newMasks.add(key);
      keys.push(key);
    }
    report.push({ ...base, fate, reasons, outputKeys: keys, keptMagnitudeFraction });
  }

  // Non-weights in a second pass, so a mask buffer already in the input can be recognised as superseded.
  const fates = new Map(report.map((r) => [r.name, r]));
  for (const [name, t] of entries) {
    if (fates.has(name)) continue;
    if (newMasks.has(name)) {
      fates.set(name, {
        name,
        dtype: t.dtype,
        shape: [...t.shape],
        fate: 'replaced',
        reasons: ['superseded by the newly computed mask'],
        outputKeys: [],
      });
      continue;
    }
    out.set(name, t);
    const e = weightEligibility(name, t, m);
    fates.set(name, {
      name,
      dtype: t.dtype,
      shape: [...t.shape],
      fate: 'copied',
      reasons: e.reasons,
      outputKeys: [name],
    });
  }
  const meta: Record<string, string> = { ...metadata };
  if (format !== 'dense') meta['format'] ??= 'pt';
  if (format === 'cutlass-24') meta['sparse24_format'] = 'cutlass-24';
  const quantizationConfig =
    format === 'sparse-24-bitmask'
      ? quantizationConfigJson({
          targets: compressedModules,
          ignore: denseModules,
          globalSparsity: total === 0 ? 0 : zeros / total,
        })
      : null;
  return { tensors: out, metadata: meta, quantizationConfig, report: entries.map(([name]) => fates.get(name)!) };
}
