import { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from '../reference/pool.js';
import type { DenseKernels } from '../types.js';
import { conv, convBackwardInput, convBackwardWeight } from './conv.js';
import { gemm } from './gemm.js';

/**
 * The fast plain-TypeScript kernels: a packed, register-blocked GEMM, and convolutions lowered to
 * it through im2col/col2im. Pooling is memory-bound and cheap next to the convolutions around
 * it, so the reference loops serve here too.
 */
export const fastKernels: DenseKernels = {
  name: 'fast',
  gemm,
  conv,
  convBackwardInput,
  convBackwardWeight,
  maxPool,
  maxPoolBackward,
  avgPool,
  avgPoolBackward,
};

export { gemm, gemmInto, type MatView } from './gemm.js';
export {
  type ConvGeometry,
  conv,
  convBackwardInput,
  convBackwardWeight,
  convGeometry,
  im2col,
  isPointwise,
} from './conv.js';
