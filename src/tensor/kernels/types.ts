/**
 * The kernel layer's contract. A kernel is a plain function over typed arrays and shapes: no
 * Tensor, no autograd. Ops (src/tensor/ops) call kernels through the active backend's
 * `DenseKernels`; a faster implementation (wasm SIMD, say) is dropped in by registering a backend
 * that provides the same functions — no op changes.
 *
 * Layouts are row-major and contiguous. Spatial operations are described in 3-D (depth, height,
 * width); 1-D and 2-D callers pass 1 for the missing leading dimensions.
 */

/** C[b] = op(A[b]) · op(B[b]) for b in [0, batch), op = optional transpose. */
export interface GemmParams {
  batch: number;
  /** Rows of op(A) and C. */
  m: number;
  /** Columns of op(A) = rows of op(B). */
  k: number;
  /** Columns of op(B) and C. */
  n: number;
  /** A is stored [k, m] when true (else [m, k]). */
  transA: boolean;
  /** B is stored [n, k] when true (else [k, n]). */
  transB: boolean;
  /** Elements between consecutive batch items of A; 0 broadcasts one matrix to every batch item. */
  strideA: number;
  strideB: number;
  /**
   * Set when B is a weight (one matrix, strideB 0 or batch 1): a backend may then keep B packed
   * between calls, keyed by the B array and this stamp, which the caller changes whenever B's
   * contents may have changed (ops pass the weight tensor's `version`). Absent: B is used once.
   */
  bStamp?: number;
}

export type Triple = readonly [number, number, number];

/** An N-d convolution (cross-correlation, as PyTorch), stated in 3-D. */
export interface ConvParams {
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  /** Input spatial size [D, H, W]. */
  inSize: Triple;
  kernelSize: Triple;
  stride: Triple;
  padding: Triple;
  dilation: Triple;
  /** Output spatial size, as computed by `convOutputSize`. */
  outSize: Triple;
  /** The weight's stamp, as `GemmParams.bStamp`: set, a backend may keep the weight packed between calls. */
  wStamp?: number;
}

/** Max or average pooling over [batch, channels, D, H, W], stated in 3-D. */
export interface PoolParams {
  batch: number;
  channels: number;
  inSize: Triple;
  kernelSize: Triple;
  stride: Triple;
  padding: Triple;
  dilation: Triple;
  outSize: Triple;
  /** Average pooling: divide by the full window including padding (PyTorch's count_include_pad). */
  countIncludePad: boolean;
}

export interface MaxPoolResult {
  values: Float32Array;
  /** Flat index into the input (per batch·channel plane) of each maximum, for the backward pass. */
  argmax: Int32Array;
}

/** One backend's dense kernels. Every field is required: a backend implements the whole family. */
export interface DenseKernels {
  readonly name: string;
  /** Returns C, batch·m·n values. */
  gemm(a: Float32Array, b: Float32Array, p: GemmParams): Float32Array;
  /** x [N, C, D, H, W], w [K, C/groups, kd, kh, kw], optional bias [K] → y [N, K, oD, oH, oW]. */
  conv(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: ConvParams): Float32Array;
  /** dL/dx from dL/dy (transposed convolution with the same weights). */
  convBackwardInput(dy: Float32Array, w: Float32Array, p: ConvParams): Float32Array;
  /** dL/dw from dL/dy and x. */
  convBackwardWeight(dy: Float32Array, x: Float32Array, p: ConvParams): Float32Array;
  maxPool(x: Float32Array, p: PoolParams): MaxPoolResult;
  maxPoolBackward(dy: Float32Array, argmax: Int32Array, p: PoolParams): Float32Array;
  avgPool(x: Float32Array, p: PoolParams): Float32Array;
  avgPoolBackward(dy: Float32Array, p: PoolParams): Float32Array;
}

/**
 * A kernel family with every kernel returning a Promise of its result: how a mode without a
 * synchronous readback (gpu.js webgpu) provides its kernels. See `runAsync` (src/tensor/async.ts).
 */
export type AsyncKernels<K> = { readonly name: string } & {
  [P in Exclude<keyof K, 'name'>]: K[P] extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never;
};
export type AsyncDenseKernels = AsyncKernels<DenseKernels>;
