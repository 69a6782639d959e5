import type { DenseKernels } from '../tensor/index.js';
import { kernels } from '../tensor/index.js';
import { createGpuKernels } from '../tensor/kernels/gpu/index.js';
import type { BenchCase } from './cases.js';
import { benchData, convOperandSizes, gemmOperandSizes } from './cases.js';
import type { Implementation } from './implementation.js';

/** A dense kernel set on the case's operands (A·B, x·Wᵀ, or the convolution). */
export function denseImplementation(backend: string, k: DenseKernels): Implementation {
  return {
    name: `sparse24 ${backend}`,
    peer: false,
    backend,
    variant: 'dense',
    async prepare(c: BenchCase) {
      if (c.kind === 'gemm') {
        const [na, nb] = gemmOperandSizes(c.gemm);
        const a = benchData(na, 1);
        const b = benchData(nb, 2);
        return { run: () => k.gemm(a, b, c.gemm) };
      }
      const [nx, nw] = convOperandSizes(c.conv);
      const x = benchData(nx, 1);
      const w = benchData(nw, 2);
      return { run: () => k.conv(x, w, null, c.conv) };
    },
  };
}

/** The backend names a run covers: the reference oracle, the fast plain-TS kernels and gpu.js in each mode given. */
export function backendNames(gpuModes: readonly string[]): string[] {
  return ['reference', 'fast', ...gpuModes.map((m) => `gpu/${m}`)];
}

export function denseKernelsFor(backend: string): DenseKernels {
  if (backend === 'reference' || backend === 'fast') return kernels(backend);
  return createGpuKernels(backend.slice('gpu/'.length));
}
