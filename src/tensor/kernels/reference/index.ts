import type { DenseKernels } from '../types.js';
import { conv, convBackwardInput, convBackwardWeight } from './conv.js';
import { gemm } from './gemm.js';
import { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from './pool.js';

/** The plain-TypeScript oracle kernels. */
export const referenceKernels: DenseKernels = {
  name: 'reference',
  gemm,
  conv,
  convBackwardInput,
  convBackwardWeight,
  maxPool,
  maxPoolBackward,
  avgPool,
  avgPoolBackward,
};

export { gemm, conv, convBackwardInput, convBackwardWeight, maxPool, maxPoolBackward, avgPool, avgPoolBackward };
