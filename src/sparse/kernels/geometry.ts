/**
 * Shared shape checks and the conv weight-view geometry of the sparse kernels, so the reference
 * and gpu.js kernels read a compressed Conv weight the same way.
 */
import { ShapeError } from '../../tensor/errors.js';
import type { ConvParams } from '../../tensor/kernels/types.js';
import type { CompressedNM } from '../compressed.js';

/** Kept values per row of the compressed matrix. */
export function perRow(c: CompressedNM): number {
  return (c.cols / c.m) * c.n;
}

export function checkLinear(x: Float32Array, w: CompressedNM, bias: Float32Array | null, rows: number): void {
  if (x.length !== rows * w.cols) {
    throw new ShapeError(
      `sparse linear: input holds ${x.length} values, expected rows (${rows}) x in_features (${w.cols}) = ${rows * w.cols}`,
    );
  }
  if (bias !== null && bias.length !== w.rows) {
    throw new ShapeError(`sparse linear: bias holds ${bias.length} values, expected out_features = ${w.rows}`);
  }
}

export function checkSpmm(a: CompressedNM, b: Float32Array, n: number): void {
  if (b.length !== a.cols * n) {
    throw new ShapeError(
      `spmm: dense operand B holds ${b.length} values, expected A's cols (${a.cols}) x n (${n}) = ${a.cols * n}`,
    );
  }
}

/**
 * Checks that a compressed weight matches the conv parameters and returns the number of kernel
 * positions P (kd·kh·kw). View row of (output channel k, position p): Conv1d weights (rank 3) put
 * k outside the position (row k·P + p); Conv2d/3d put the position outside (row p·K + k), as apex.
 */
export function checkConv(
  x: Float32Array,
  w: CompressedNM,
  bias: Float32Array | null,
  p: ConvParams,
): { positions: number; conv1d: boolean } {
  const shape = w.weightShape;
  if (shape === null || shape.length < 3) {
    throw new ShapeError(
      `sparse conv: the compressed weight must come from compressWeight of a [K, C/groups, ...kernel] weight, found weight shape ${shape === null ? 'none (a plain matrix)' : `[${shape.join(', ')}]`}`,
    );
  }
  const [kd, kh, kw] = p.kernelSize;
  const positions = kd * kh * kw;
  const cg = p.inChannels / p.groups;
  const spatial = shape.slice(2).reduce((a, b) => a * b, 1);
  if (shape[0] !== p.outChannels || shape[1] !== cg || spatial !== positions) {
    throw new ShapeError(
      `sparse conv: compressed weight of shape [${shape.join(', ')}] does not match out_channels ${p.outChannels}, in_channels/groups ${cg}, kernel [${kd}, ${kh}, ${kw}]`,
    );
  }
  const [d, h, wd] = p.inSize;
  if (x.length !== p.batch * p.inChannels * d * h * wd) {
    throw new ShapeError(
      `sparse conv: input holds ${x.length} values, expected [${p.batch}, ${p.inChannels}, ${d}, ${h}, ${wd}]`,
    );
  }
  if (bias !== null && bias.length !== p.outChannels) {
    throw new ShapeError(`sparse conv: bias holds ${bias.length} values, expected out_channels = ${p.outChannels}`);
  }
  return { positions, conv1d: shape.length === 3 };
}

export function convOutputLength(p: ConvParams): number {
  return p.batch * p.outChannels * p.outSize[0] * p.outSize[1] * p.outSize[2];
}
