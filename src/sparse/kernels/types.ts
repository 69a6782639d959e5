/**
 * The sparse kernel contract, the sparse twin of `DenseKernels`: plain functions over typed arrays,
 * shapes and a compressed N:M matrix (`CompressedNM`, values + positions per row). No Tensor, no
 * autograd: these are inference kernels.
 *
 * Every compressed operand is the 2-D mask view of its weight (src/sparse/view2d.ts): rows are
 * output channels (times kernel positions for Conv), columns are input channels, and each row
 * holds `cols/M·N` kept values. Kernels touch only kept values, so a 2:4 matrix costs half the
 * multiply-adds of its dense form.
 */
import type { ConvParams } from '../../tensor/kernels/types.js';
import type { CompressedNM } from '../compressed.js';

export interface SparseKernels {
  readonly name: string;
  /**
   * Linear: y = x·Wᵀ (+ bias). x [rows][w.cols], W compressed [out = w.rows][in = w.cols],
   * bias [w.rows] or null → y [rows][w.rows].
   */
  linear(x: Float32Array, w: CompressedNM, bias: Float32Array | null, rows: number): Float32Array;
  /** General spmm: C = A·B. A compressed [a.rows][a.cols], B dense [a.cols][n] → C [a.rows][n]. */
  spmm(a: CompressedNM, b: Float32Array, n: number): Float32Array;
  /**
   * Convolution with a compressed weight (`compressWeight` of a [K, C/groups, ...kernel] weight;
   * its `weightShape` must agree with `p`). x [N, C, D, H, W] → y [N, K, oD, oH, oW], as the dense
   * `conv` kernel. Grouped convolution is supported: the view's columns are the C/groups channels
   * of the output channel's group.
   */
  conv(x: Float32Array, w: CompressedNM, bias: Float32Array | null, p: ConvParams): Float32Array;
}
