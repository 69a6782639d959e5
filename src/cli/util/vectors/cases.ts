/**
 * The weights the oracle vectors are built from: Linear, Conv1d, Conv2d and Conv3d shapes, with
 * values on the float16 grid (so every compressed export, fp16 included, is lossless and every
 * format can be compared bit for bit) and hard cases planted on purpose in the 2-D mask view:
 * all-zero groups, single-nonzero groups, and groups of equal magnitudes (tie rules).
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../tensor/half.js';
import { MT19937 } from '../../../tensor/random.js';
import { fromView, viewDims } from '../../../sparse/index.js';

export interface ConvSpec {
  readonly stride: number;
  readonly padding: number;
  /** Input shape [N, C, ...spatial]. */
  readonly input: readonly number[];
}

export interface VectorCase {
  readonly name: string;
  readonly layer: 'Linear' | 'Conv1d' | 'Conv2d' | 'Conv3d';
  readonly shape: readonly number[];
  /** Linear: rows of x; Conv: the convolution to run. */
  readonly batch?: number;
  readonly conv?: ConvSpec;
}

export const VECTOR_CASES: readonly VectorCase[] = [
  { name: 'linear_32x64', layer: 'Linear', shape: [32, 64], batch: 3 },
  { name: 'linear_8x16', layer: 'Linear', shape: [8, 16], batch: 2 },
  { name: 'conv1d_8x12x3', layer: 'Conv1d', shape: [8, 12, 3], conv: { stride: 2, padding: 1, input: [2, 12, 9] } },
  {
    name: 'conv2d_8x16x3x3',
    layer: 'Conv2d',
    shape: [8, 16, 3, 3],
    conv: { stride: 1, padding: 1, input: [1, 16, 5, 5] },
  },
  {
    name: 'conv2d_32x64x1x1',
    layer: 'Conv2d',
    shape: [32, 64, 1, 1],
    conv: { stride: 1, padding: 0, input: [1, 64, 3, 3] },
  },
  {
    name: 'conv3d_4x8x2x2x2',
    layer: 'Conv3d',
    shape: [4, 8, 2, 2, 2],
    conv: { stride: 1, padding: 0, input: [1, 8, 3, 3, 3] },
  },
];

/** A uniform value in [-1, 1) rounded to the nearest float16. */
export function halfUniform(g: MT19937): number {
  return float16BitsToFloat32(float32ToFloat16Bits(2 * g.nextDouble() - 1));
}

/** Groups of four planted into the view, cycling over groups whose index is divisible by 5. */
const PLANTED: readonly (readonly number[])[] = [
  [0, 0, 0, 0], // all zero: apex keeps positions 1 and 3
  [0, 0.5, 0, 0], // one nonzero
  [0.5, -0.5, 0.5, -0.5], // four equal magnitudes
  [0.25, 0.75, -0.75, 0.25], // a tie for first place
  [-0.125, 0.125, 0, 0.125], // a tie for second place
];

/** The weight of a case, in its own layout. */
export function caseWeight(c: VectorCase, g: MT19937): Float32Array {
  const { rows, cols } = viewDims(c.shape);
  const view = new Float32Array(rows * cols);
  for (let i = 0; i < view.length; i++) view[i] = halfUniform(g);
  const groups = view.length / 4;
  for (let grp = 0, k = 0; grp < groups; grp += 5, k++) view.set(PLANTED[k % PLANTED.length]!, grp * 4);
  return fromView(view, c.shape);
}

/** `count` values on the float16 grid. */
export function halfValues(count: number, g: MT19937): Float32Array {
  return Float32Array.from({ length: count }, () => halfUniform(g));
}
