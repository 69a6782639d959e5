/**
 * `pruneLayer`: one layer's weight pruned N:M by magnitude, Wanda or SparseGPT, given the layer's
 * calibration inputs. The weight is `[out, in]` (Linear) or a Conv weight `[K, C, ...kernel]`,
 * which is pruned through its `[K, kernel·C]` view (columns ordered kernel position first, input
 * channel last), so that each group of M consecutive columns is M input channels at one kernel
 * position: TensorRT's 2:4 rule and apex's mask view. (SparseGPT's reference flattens Conv weights
 * as `[K, C·kernel]` instead, whose groups mix kernel positions of one channel; such masks are not
 * 2:4 along the input channels.) Conv calibration inputs are the unfolded patches in the same
 * column order, `[n, kernel·C]`.
 */
import { createMask, patternNM, resolvePattern } from '../../sparse/index.js';
import { ShapeError, ValueError } from '../../tensor/errors.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { maskByScore } from './select.js';
import { hessian, sparseGpt } from './sparsegpt.js';
import { inputNorms, wandaScores } from './wanda.js';

export type PruneMethod = 'magnitude' | 'wanda' | 'sparsegpt';
export const PRUNE_METHODS: readonly PruneMethod[] = ['magnitude', 'wanda', 'sparsegpt'];

export interface PruneLayerOptions {
  method: PruneMethod;
  /** 'N:M' or a built-in 2:4 pattern name (default '2:4'); magnitude accepts any mask pattern. */
  pattern?: string;
  /** Calibration inputs [n, in] (Conv: [n, kernel·C]); needed by wanda and sparsegpt. */
  inputs?: Tensor;
  /** SparseGPT: columns per lazy-update block (default 128). */
  blocksize?: number;
  /** SparseGPT: dampening as a fraction of mean(diag H) (default 0.01). */
  percdamp?: number;
}

export interface PrunedLayer {
  /** The pruned weight, in the input's shape (SparseGPT also updates the kept weights). */
  readonly weight: Tensor;
  /** 1 where a weight is kept, in the input's shape. */
  readonly mask: Tensor;
}

/** [K, C, ...kernel] → [K, kernel·C] with column p·C + c (and back with `inverse`). */
export function krscView(data: Float32Array, shape: readonly number[], inverse = false): Float32Array {
  const [k, c] = [shape[0]!, shape[1]!];
  const positions = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let o = 0; o < k; o++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < positions; p++) {
        const native = (o * c + ch) * positions + p;
        const view = o * c * positions + p * c + ch;
        if (inverse) out[native] = data[view]!;
        else out[view] = data[native]!;
      }
    }
  }
  return out;
}

function checkWeight(weight: Tensor): void {
  if (weight.ndim < 2 || weight.ndim > 5) {
    throw new ShapeError(
      `pruneLayer: expected a Linear [out, in] or Conv [K, C, ...kernel] weight, got ${formatShape(weight.shape)}`,
    );
  }
  const bad = weight.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ValueError(`pruneLayer: the weight holds ${weight.data[bad]} at flat index ${bad}`);
}

function calibration(options: PruneLayerOptions, cols: number): { x: Float32Array; samples: number } {
  const inputs = options.inputs;
  if (inputs === undefined) throw new ValueError(`pruneLayer: method '${options.method}' needs calibration inputs`);
  if (inputs.ndim !== 2 || inputs.shape[1] !== cols || inputs.shape[0]! < 1) {
    throw new ShapeError(`pruneLayer: calibration inputs must be [n >= 1, ${cols}], got ${formatShape(inputs.shape)}`);
  }
  const bad = inputs.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new ValueError(`pruneLayer: the calibration inputs hold ${inputs.data[bad]} at flat index ${bad}`);
  return { x: inputs.data, samples: inputs.shape[0]! };
}

/** Prunes one layer's weight (see the file comment); the input tensors are not modified. */
export function pruneLayer(weight: Tensor, options: PruneLayerOptions): PrunedLayer {
  checkWeight(weight);
  const method = options.method;
  if (!PRUNE_METHODS.includes(method)) {
    throw new ValueError(`pruneLayer: unknown method '${String(method)}'; expected ${PRUNE_METHODS.join(', ')}`);
  }
  const pattern = options.pattern ?? '2:4';
  if (method === 'magnitude') {
    const mask = createMask(weight, pattern);
    const pruned = weight.data.map((v, i) => (mask[i] === 1 ? v : 0));
    return { weight: new Tensor(pruned, weight.shape), mask: new Tensor(Float32Array.from(mask), weight.shape) };
  }
  if (resolvePattern(pattern).name.startsWith('m4n2_2d')) {
    throw new ValueError(
      `pruneLayer: ${method} selects along rows (1-D N:M); '${pattern}' is a 2-D pattern for magnitude`,
    );
  }
  const { n, m } = patternNM(pattern);
  const rows = weight.shape[0]!;
  const cols = weight.size / rows;
  if (cols % m !== 0) throw new ShapeError(`pruneLayer: ${cols} input columns are not divisible by M=${m}`);
  const conv = weight.ndim > 2;
  const w = conv ? krscView(weight.data, weight.shape) : weight.data;
  const { x, samples } = calibration(options, cols);
  let newW: Float32Array;
  let mask: Uint8Array;
  if (method === 'wanda') {
    mask = maskByScore(wandaScores(w, rows, cols, inputNorms(x, samples, cols)), rows, cols, n, m);
    newW = w.map((v, i) => (mask[i] === 1 ? v : 0));
  } else {
    const opts = {
      n,
      m,
      ...(options.blocksize === undefined ? {} : { blocksize: options.blocksize }),
      ...(options.percdamp === undefined ? {} : { percdamp: options.percdamp }),
    };
    ({ weight: newW, mask } = sparseGpt(w, rows, cols, hessian(x, samples, cols), opts));
  }
  const maskF = Float32Array.from(mask);
  return {
    weight: new Tensor(conv ? krscView(newW, weight.shape, true) : newW, weight.shape),
    mask: new Tensor(conv ? krscView(maskF, weight.shape, true) : maskF, weight.shape),
  };
}

/**
 * ‖X·Wᵀ − X·W′ᵀ‖² / ‖X·Wᵀ‖² over calibration inputs X [n, in] (Conv: both weights in their
 * native shape, X in the `[n, kernel·C]` view): how much pruning moved the layer's output.
 */
export function reconstructionError(weight: Tensor, pruned: Tensor, inputs: Tensor): number {
  const rows = weight.shape[0]!;
  const cols = weight.size / rows;
  const conv = weight.ndim > 2;
  const a = conv ? krscView(weight.data, weight.shape) : weight.data;
  const b = conv ? krscView(pruned.data, weight.shape) : pruned.data;
  const samples = inputs.shape[0]!;
  let num = 0;
  let den = 0;
  for (let s = 0; s < samples; s++) {
    for (let r = 0; r < rows; r++) {
      let ya = 0;
      let yb = 0;
      for (let j = 0; j < cols; j++) {
        const xv = inputs.data[s * cols + j]!;
        ya += xv * a[r * cols + j]!;
        yb += xv * b[r * cols + j]!;
      }
      num += (ya - yb) ** 2;
      den += ya * ya;
    }
  }
  return den === 0 ? (num === 0 ? 0 : Number.POSITIVE_INFINITY) : num / den;
}
