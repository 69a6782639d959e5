/**
 * The calibration rows a layer's weight multiplies: for a Linear, its input rows `[*, in]`; for a
 * Conv, every output position's receptive field, unfolded in the `[kernel·C]` column order of
 * `krscView` (kernel position first, input channel last), zero where the window reads padding.
 */
import { ShapeError } from '../../tensor/errors.js';
import { formatShape } from '../../tensor/shape.js';

export interface ConvGeometry {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

/** Rows of a Linear's input x [..., in]: a copy viewed as [rows, in]. */
export function linearRows(x: Float32Array, shape: readonly number[]): { rows: Float32Array; count: number } {
  const inF = shape[shape.length - 1]!;
  return { rows: x.slice(), count: x.length / inF };
}

/** Patches of a Conv input x [N, C, ...spatial] (or unbatched [C, ...spatial]) as [positions, kernel·C]. */
export function convPatches(
  x: Float32Array,
  shape: readonly number[],
  g: ConvGeometry,
): { rows: Float32Array; count: number } {
  const d = g.kernelSize.length;
  const batched = shape.length === d + 2;
  if (!batched && shape.length !== d + 1) {
    throw new ShapeError(`calibration: a Conv${d}d input must be [N, C, ...${d} dims], got ${formatShape(shape)}`);
  }
  const full = batched ? shape : [1, ...shape];
  const [n, c] = [full[0]!, full[1]!];
  const inSize = full.slice(2);
  const outSize = inSize.map(
    (s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (g.kernelSize[i]! - 1) - 1) / g.stride[i]!) + 1,
  );
  const kPositions = g.kernelSize.reduce((a, b) => a * b, 1);
  const oPositions = outSize.reduce((a, b) => a * b, 1);
  const inPositions = inSize.reduce((a, b) => a * b, 1);
  const cols = kPositions * c;
  const rows = new Float32Array(n * oPositions * cols);
  const o = new Array<number>(d).fill(0);
  const k = new Array<number>(d).fill(0);
  for (let b = 0; b < n; b++) {
    for (let op = 0; op < oPositions; op++) {
      let rest = op;
      for (let i = d - 1; i >= 0; i--) {
        o[i] = rest % outSize[i]!;
        rest = Math.floor(rest / outSize[i]!);
      }
      const rowBase = (b * oPositions + op) * cols;
      for (let kp = 0; kp < kPositions; kp++) {
        let kr = kp;
        for (let i = d - 1; i >= 0; i--) {
          k[i] = kr % g.kernelSize[i]!;
          kr = Math.floor(kr / g.kernelSize[i]!);
        }
        let flat = 0;
        let inside = true;
        for (let i = 0; i < d; i++) {
          const at = o[i]! * g.stride[i]! - g.padding[i]! + k[i]! * g.dilation[i]!;
          if (at < 0 || at >= inSize[i]!) inside = false;
          flat = flat * inSize[i]! + at;
        }
        if (!inside) continue;
        for (let ch = 0; ch < c; ch++) rows[rowBase + kp * c + ch] = x[(b * c + ch) * inPositions + flat]!;
      }
    }
  }
  return { rows, count: n * oPositions };
}
