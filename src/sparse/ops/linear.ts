import { ShapeError } from '../../tensor/errors.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CompressedNM } from '../compressed.js';
import { sparseKernels } from '../kernels/index.js';
import { sparseResult } from './common.js';

/**
 * F.linear with a compressed weight: y = x·Wᵀ + bias, W compressed [out_features][in_features]
 * (`compressWeight` of a Linear weight, or `compressNM` of a matrix). x [..., in_features] →
 * y [..., out_features]. Runs on the active backend's sparse kernels; forward only.
 */
export function sparseLinear(x: Tensor, weight: CompressedNM, bias: Tensor | null = null): Tensor {
  if (weight.weightShape !== null && weight.weightShape.length !== 2) {
    throw new ShapeError(
      `sparseLinear: compressed weight must come from a 2-D [out, in] weight, found weight shape [${weight.weightShape.join(', ')}]`,
    );
  }
  const inF = weight.cols;
  const outF = weight.rows;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `sparseLinear: input ${formatShape(x.shape)} must end in in_features = ${inF} to match the compressed weight [${outF}, ${inF}]`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(
      `sparseLinear: bias must be [${outF}] for the compressed weight [${outF}, ${inF}], got ${formatShape(bias.shape)}`,
    );
  }
  const rows = x.size / inF;
  const y = sparseKernels().linear(x.data, weight, bias === null ? null : bias.data, rows);
  const inputs = bias === null ? [x] : [x, bias];
  return sparseResult('sparseLinear', y, [...x.shape.slice(0, -1), outF], inputs, {
    inFeatures: inF,
    outFeatures: outF,
    bias: bias !== null,
    n: weight.n,
    m: weight.m,
  });
}
