/**
 * Is a weight N:M sparse, and would TensorRT's sparse tactics take it? All checks run on the 2-D
 * mask view (`view2d.ts`), where groups run along the input channels C.
 */
import { ShapeError } from '../tensor/errors.js';
import { type Shape, formatShape } from '../tensor/shape.js';
import { checkNM } from './groups.js';
import { absSum } from './magnitude.js';
import { apex24Choice, APEX_24_PATTERNS } from './mask1d.js';
import { TENSOR_CORE_RULE, isTensorCoreShape } from './tensor_core.js';
import { toView, weightElements } from './view2d.js';

function checkData(data: ArrayLike<number>, shape: Shape, what: string): void {
  const needed = weightElements(shape, what);
  if (data.length !== needed) {
    throw new ShapeError(`${what}: data has ${data.length} elements but shape ${formatShape(shape)} needs ${needed}`);
  }
}

/**
 * True when every group of M consecutive input channels holds at most N nonzeros. A weight or a
 * 0/1 mask both work. False (not an error) when C is not divisible by M: such a tensor cannot be
 * N:M.
 */
export function isNM(weight: Float32Array | Uint8Array, shape: Shape, n: number, m: number): boolean {
  checkNM(n, m);
  checkData(weight, shape, 'isNM');
  const view = toView(weight, shape);
  if (view.cols % m !== 0) return false;
  for (let g = 0; g < view.data.length; g += m) {
    let nonzero = 0;
    for (let i = 0; i < m; i++) if (view.data[g + i] !== 0) nonzero++;
    if (nonzero > n) return false;
  }
  return true;
}

/** What `tensorRTReport` found about one weight. */
export interface SparsityReport {
  readonly shape: readonly number[];
  /** Groups of 4 input channels looked at (every full group of the 2-D view). */
  readonly groupsChecked: number;
  /** Groups with fewer than 2 zeros, i.e. not 2:4. */
  readonly groupsViolating: number;
  /** Row and group (in the 2-D view) of the first violating group, or null. */
  readonly firstViolation: { readonly row: number; readonly group: number } | null;
  /** Share of sum |w| that apex's `m4n2_1d` mask would keep (1 for an all-zero weight). */
  readonly keptMagnitudeFraction: number;
  /** Apex's tensor-core shape rule (`isTensorCoreShape`): rank >= 2, dim0 % 8 == 0, dim1 % 16 == 0. */
  readonly shapeEligible: boolean;
  /** Every group is 2:4 (and C is divisible by 4). */
  readonly is24: boolean;
  /** Both: TensorRT can run this weight with its 2:4 sparse kernels. */
  readonly eligible: boolean;
  /** Human-readable reasons when not eligible. */
  readonly reasons: readonly string[];
}

/** The TensorRT 2:4 eligibility report of one weight. */
export function tensorRTReport(weight: Float32Array, shape: Shape): SparsityReport {
  checkData(weight, shape, 'tensorRTReport');
  const reasons: string[] = [];
  const shapeEligible = isTensorCoreShape(shape);
  if (!shapeEligible) {
    reasons.push(
      shape.length < 2
        ? `rank ${shape.length} weight: only Linear/Conv weights (rank >= 2) are pruned`
        : `shape ${formatShape(shape)} fails the tensor-core rule ${TENSOR_CORE_RULE}`,
    );
  }
  const view = toView(weight, shape);
  const groupsPerRow = Math.floor(view.cols / 4);
  if (view.cols % 4 !== 0) reasons.push(`C=${view.cols} is not divisible by 4`);
  let groupsViolating = 0;
  let firstViolation: { row: number; group: number } | null = null;
  const total = absSum(view.data);
  let kept = 0;
  for (let r = 0; r < view.rows; r++) {
    for (let g = 0; g < groupsPerRow; g++) {
      const at = r * view.cols + 4 * g;
      const v = view.data.subarray(at, at + 4);
      let zeros = 0;
      for (const x of v) if (x === 0) zeros++;
      if (zeros < 2) {
        groupsViolating++;
        firstViolation ??= { row: r, group: g };
      }
      const [i, j] = APEX_24_PATTERNS[apex24Choice(v[0]!, v[1]!, v[2]!, v[3]!)]!;
      kept += Math.abs(v[i]!) + Math.abs(v[j]!);
    }
  }
  if (groupsViolating > 0) reasons.push(`${groupsViolating} group(s) of 4 input channels have fewer than 2 zeros`);
  const is24 = view.cols % 4 === 0 && groupsViolating === 0;
  return {
    shape: [...shape],
    groupsChecked: groupsPerRow * view.rows,
    groupsViolating,
    firstViolation,
    keptMagnitudeFraction: total === 0 ? 1 : kept / total,
    shapeEligible,
    is24,
    eligible: shapeEligible && is24,
    reasons,
  };
}
