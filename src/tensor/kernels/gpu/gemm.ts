import type { IKernelFunctionThis } from 'gpu.js';
import type { GemmParams } from '../types.js';
import { type GpuPlan, launch, single } from './runtime.js';

type GemmConstants = { M: number; K: number; N: number; TA: number; TB: number; SA: number; SB: number };

/**
 * One output C[b, i, j] per thread (x = j, y = i, z = b). The transposes and batch strides are
 * constants, so gpu.js folds the branches away when it compiles each shape.
 */
function gemmKernel(this: IKernelFunctionThis<GemmConstants>, a: Float32Array, b: Float32Array): number {
  const j = this.thread.x;
  const i = this.thread.y;
  const aOff = this.thread.z * this.constants.SA;
  const bOff = this.thread.z * this.constants.SB;
  let acc = 0;
  for (let t = 0; t < this.constants.K; t++) {
    let av = 0;
    if (this.constants.TA === 1) {
      av = a[aOff + t * this.constants.M + i]!;
    } else {
      av = a[aOff + i * this.constants.K + t]!;
    }
    let bv = 0;
    if (this.constants.TB === 1) {
      bv = b[bOff + j * this.constants.K + t]!;
    } else {
      bv = b[bOff + t * this.constants.N + j]!;
    }
    acc += av * bv;
  }
  return acc;
}

export function gemmPlan(a: Float32Array, b: Float32Array, p: GemmParams): GpuPlan<Float32Array> {
  const key = `gemm:${p.batch},${p.m},${p.k},${p.n},${+p.transA},${+p.transB},${p.strideA},${p.strideB}`;
  return single(
    launch(
      key,
      () => ({
        source: gemmKernel,
        output: [p.n, p.m, p.batch],
        constants: { M: p.m, K: p.k, N: p.n, TA: +p.transA, TB: +p.transB, SA: p.strideA, SB: p.strideB },
        longestLoop: p.k,
      }),
      [a, b],
    ),
  );
}
