import type { GemmParams } from '../types.js';

/**
 * The oracle GEMM: one output at a time, accumulated in float64 and rounded once, in the order
 * k = 0, 1, ... . Clarity first; fast kernels are checked against this one.
 */
export function gemm(a: Float32Array, b: Float32Array, p: GemmParams): Float32Array {
  const { batch, m, k, n, transA, transB, strideA, strideB } = p;
  const c = new Float32Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const aOff = bi * strideA;
    const bOff = bi * strideB;
    const cOff = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) {
          const av = transA ? a[aOff + t * m + i]! : a[aOff + i * k + t]!;
          const bv = transB ? b[bOff + j * k + t]! : b[bOff + t * n + j]!;
          acc += av * bv;
        }
        c[cOff + i * n + j] = acc;
      }
    }
  }
  return c;
}
