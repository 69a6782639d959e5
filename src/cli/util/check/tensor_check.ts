/**
 * The per-tensor part of `sparse24 check`: which tensors are judged (eligibility), how their N:M
 * groups are counted, and whether a dense weight agrees with its apex mask buffer.
 *
 * int8 weights: apex's tensor-core filter names F32/F16 only, and docs/apex-asp.md §1.2 / docs/formats.md §2.6 state
 * no filter for integer weights. An int8 Linear/Conv weight comes from quantizing a float weight
 * of the same shape, which apex pruned only if it passed that filter, so check applies the same
 * rule (dim0 % 8 == 0, dim1 % 16 == 0) to I8 and says so in the reasons. With N:M divisibility
 * alone, a classifier such as Linear(64, 10), which apex skips, would fail --strict after QAT.
 */
import { type Eligibility, candidacy, rankLimit, weightEligibility } from '../../../asp/oneshot.js';
import type { StoredTensor } from '../../../io/index.js';
import {
  TENSOR_CORE_RULE,
  createMask,
  isTensorCoreShape,
  keptMagnitude,
  toView,
  viewDims,
} from '../../../sparse/index.js';
import { formatShape } from '../../../tensor/shape.js';
import type { DenseSource } from './dense_source.js';
import type { DecodedRecord } from './records.js';

export type StoredFormat = 'dense' | 'cutlass-24' | 'sparse-24-bitmask';

/** One tensor's line of the check. Group counts are over the 2-D mask view, groups of M along C. */
export interface CheckedTensor {
  /** The tensor's key, or `<param>` for a compressed record. */
  readonly name: string;
  /** How the file stores it: a dense tensor or a compressed record. */
  readonly format: StoredFormat;
  /** Stored dtype (for a record: the dtype of its values). */
  readonly dtype: string;
  /** Dense shape (for a record: the decoded [rows, cols]). */
  readonly shape: readonly number[];
  readonly candidate: boolean;
  readonly eligible: boolean;
  /** Why a candidate is not eligible, or how its eligibility was decided (int8). */
  readonly reasons: readonly string[];
  /** Full groups of M input channels (0 for a non-candidate). */
  readonly groups: number;
  /** Groups holding more than N nonzeros. */
  readonly violatingGroups: number;
  /** Records only: groups of 4 whose stored pattern (meta or bitmask) keeps more than 2; else null. */
  readonly storedViolatingGroups: number | null;
  /** N:M on the values, and (records) a stored pattern that is 2:4. */
  readonly isNM: boolean;
  /** Share of sum |w| the pattern's mask would keep; null where no mask can be computed. */
  readonly keptMagnitudeFraction: number | null;
  /** Dense weights with an apex mask buffer: zero wherever the mask is 0; null without a mask. */
  readonly maskConsistent: boolean | null;
}

const INT8_NOTE =
  `I8: apex's tensor-core rule (${TENSOR_CORE_RULE}) applied as to the float weight it was quantized from; ` +
  'apex and docs/formats.md §2.6 state no int8 rule (the int8 CUTLASS layout itself needs rows % 16 and cols % 64)';

function int8Eligibility(name: string, shape: readonly number[], m: number, byName: boolean): Eligibility {
  const notCandidate = candidacy(name, shape.length, byName);
  if (notCandidate !== null) return notCandidate;
  const reasons: string[] = [];
  const tooHigh = rankLimit(shape.length);
  if (tooHigh !== null) reasons.push(tooHigh);
  if (!isTensorCoreShape(shape))
    reasons.push(`shape ${formatShape(shape)} fails apex's tensor-core rule (${TENSOR_CORE_RULE})`);
  if (shape[1]! % m !== 0) reasons.push(`input channels ${shape[1]} are not divisible by M=${m}`);
  return { candidate: true, eligible: reasons.length === 0, reasons: [...reasons, INT8_NOTE] };
}

/**
 * Eligibility of a dense tensor of the file: apex's rules, with I8 weights judged as above. An
 * F64 value beyond float32's range is named as the file holds it (weightEligibility judges F64
 * values as stored, not narrowed to float32).
 */
export function storedEligibility(name: string, t: StoredTensor, m: number, byName: boolean): Eligibility {
  if (t.dtype === 'I8') return int8Eligibility(name, t.shape, m, byName);
  return weightEligibility(name, t, m, byName);
}

/**
 * Eligibility of a decoded record: always a candidate (it is a compressed weight by construction).
 * The rules on dtype and shape are weightEligibility's, given a stand-in with no values (it reads
 * values only for its finiteness rule); finiteness comes from the record itself, which knows its
 * first NaN/infinity without expanding the matrix. Same wording as weightEligibility's rule.
 */
export function recordEligibility(r: DecodedRecord, m: number): Eligibility {
  const shape = [...r.shape];
  if (r.dtype === 'I8') return int8Eligibility(r.param, shape, m, false);
  const standIn: StoredTensor =
    r.dtype === 'F16' || r.dtype === 'BF16'
      ? { dtype: r.dtype, shape, data: new Uint16Array(0) }
      : { dtype: 'F32', shape, data: new Float32Array(0) };
  const e = weightEligibility(r.param, standIn, m, false);
  const bad = r.source.firstNonFinite;
  if (!e.eligible || bad === null) return e;
  return {
    candidate: true,
    eligible: false,
    reasons: [`non-finite value ${bad.value} at flat index ${bad.index}; masks need finite weights`],
  };
}

export interface GroupCount {
  readonly groups: number;
  readonly violatingGroups: number;
  readonly isNM: boolean;
  readonly keptMagnitudeFraction: number | null;
}

/**
 * The kept fraction of an empty [rows, cols] view: 1 where the pattern can mask that shape (the
 * convention of keptMagnitude for nothing to keep), else null. Asked on an empty stand-in with
 * the same rows mod 4, because the calculators loop over rows and an empty view may claim 1e15
 * of them (a [1e15, 0] tensor holds no bytes).
 */
function emptyKept(rows: number, cols: number, pattern: string): number | null {
  try {
    createMask(new Float32Array(0), [rows === 0 ? 0 : 4 + (rows % 4), cols], pattern);
    return 1;
  } catch {
    return null;
  }
}

/** Counts groups of M along C of the mask view holding more than N nonzeros. */
export function countGroups(
  values: Float32Array,
  shape: readonly number[],
  pattern: string,
  n: number,
  m: number,
): GroupCount {
  // An empty tensor may claim any number of rows ([1e15, 0, 3, 3] holds no bytes): size its view without building it.
  const view = values.length === 0 ? { ...viewDims(shape), data: values } : toView(values, shape);
  const perRow = Math.floor(view.cols / m);
  let violating = 0;
  for (let r = 0; r < view.rows && perRow > 0; r++) {
    for (let g = 0; g < perRow; g++) {
      let nonzero = 0;
      for (let i = 0, at = r * view.cols + g * m; i < m; i++) if (view.data[at + i] !== 0) nonzero++;
      if (nonzero > n) violating++;
    }
  }
  let kept: number | null = null;
  if (view.cols % m === 0 && values.length === 0) kept = emptyKept(view.rows, view.cols, pattern);
  else if (view.cols % m === 0 && values.every((v) => Number.isFinite(v))) {
    try {
      kept = keptMagnitude(values, createMask(values, shape, pattern));
    } catch {
      kept = null; // e.g. a 2-D pattern on a view whose rows do not split into 4x4 blocks
    }
  }
  return {
    groups: perRow * view.rows,
    violatingGroups: violating,
    isNM: view.cols % m === 0 && violating === 0,
    keptMagnitudeFraction: kept,
  };
}

/** Elements per tile when a record is checked tile by tile (4 MB of float32). */
export const TILE_ELEMENTS = 1 << 20;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * countGroups for a record's matrix, tile by tile: tiles of 4 rows (whole 4x4 blocks for the 2-D
 * patterns) and whole rows when they fit, else a multiple of lcm(4, M) columns, so no group or
 * block straddles a tile and each tile's mask is that part of the whole matrix's mask (every
 * built-in pattern decides per group of a row or per 4x4 block). Kept and total magnitude are
 * summed in one running sum; with whole-row tiles that is flat order, exactly as keptMagnitude.
 */
export function countRecordGroups(
  src: DenseSource,
  pattern: string,
  n: number,
  m: number,
  tileElements = TILE_ELEMENTS,
): GroupCount {
  const { rows, cols } = src;
  const unit = (4 * m) / gcd(4, m);
  const tileCols = 4 * cols <= tileElements ? cols : Math.max(unit, Math.floor(tileElements / 4 / unit) * unit);
  let violating = 0;
  let total = 0;
  let kept = 0;
  let keptOk = cols % m === 0 && src.firstNonFinite === null;
  // No tiles to visit: whether the pattern applies at all is the empty matrix's question (a 2-D pattern refuses 1 x 0).
  if (keptOk && rows * cols === 0) keptOk = emptyKept(rows, cols, pattern) !== null;
  src.forEachTile(4, tileCols, (tile, _r0, nr, _c0, nc) => {
    const groups = Math.floor(nc / m);
    for (let i = 0; i < nr; i++) {
      for (let g = 0; g < groups; g++) {
        let nonzero = 0;
        for (let j = 0, at = i * nc + g * m; j < m; j++) if (tile[at + j] !== 0) nonzero++;
        if (nonzero > n) violating++;
      }
    }
    if (!keptOk) return;
    let mask: Uint8Array;
    try {
      mask = createMask(tile, [nr, nc], pattern);
    } catch {
      keptOk = false; // e.g. a 2-D pattern on a last block of fewer than 4 rows
      return;
    }
    for (let e = 0; e < tile.length; e++) {
      const a = Math.abs(tile[e]!);
      total += a;
      if (mask[e]) kept += a;
    }
  });
  const fraction = keptOk ? (total === 0 ? 1 : kept / total) : null;
  return {
    groups: Math.floor(cols / m) * rows,
    violatingGroups: violating,
    isNM: cols % m === 0 && violating === 0,
    keptMagnitudeFraction: fraction,
  };
}

/**
 * Whether `values` is zero wherever `mask` is 0, with the reason when not. A mask of another
 * shape is inconsistent too: it cannot be the buffer apex multiplies this weight by.
 */
export function maskConsistency(
  values: Float32Array,
  shape: readonly number[],
  maskKey: string,
  mask: StoredTensor,
): { consistent: boolean; reason: string | null } {
  if (mask.shape.length !== shape.length || mask.shape.some((d, i) => d !== shape[i])) {
    return {
      consistent: false,
      reason: `mask ${maskKey} has shape ${formatShape(mask.shape)}, the weight ${formatShape(shape)}`,
    };
  }
  let bad = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number(mask.data[i]) === 0 && values[i] !== 0) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad === 0) return { consistent: true, reason: null };
  return {
    consistent: false,
    reason: `${bad} value(s) are nonzero where ${maskKey} is 0 (first at flat index ${first})`,
  };
}
