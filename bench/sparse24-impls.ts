import type { DenseKernels } from '../src/tensor/index.js';
import { kernels } from '../src/tensor/index.js';
import { createGpuKernels } from '../src/tensor/kernels/gpu/index.js';
import type { BenchCase } from './cases.js';
import { benchData, convOperandSizes, gemmOperandSizes } from './cases.js';
import type { Implementation } from './implementation.js';

function fromKernels(name: string, k: DenseKernels): Implementation {
  return {
    name,
    peer: false,
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

/** sparse24's dense kernel sets: the reference oracle and gpu.js in each mode that works on Node. */
export function sparse24Implementations(gpuModes: readonly string[]): Implementation[] {
  return [
    fromKernels('sparse24 reference', kernels('reference')),
    ...gpuModes.map((mode) => fromKernels(`sparse24 gpu/${mode}`, createGpuKernels(mode))),
  ];
}
