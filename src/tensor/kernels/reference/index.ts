import type { DenseKernels } from '../types.js';
import { gemm } from './gemm.js';

const todo = (what: string) => (): never => {
  throw new Error(`reference ${what} kernel not implemented yet`);
};

/** The plain-TypeScript oracle kernels. */
export const referenceKernels: DenseKernels = {
  name: 'reference',
  gemm,
  conv: todo('conv'),
  convBackwardInput: todo('convBackwardInput'),
  convBackwardWeight: todo('convBackwardWeight'),
  maxPool: todo('maxPool'),
  maxPoolBackward: todo('maxPoolBackward'),
  avgPool: todo('avgPool'),
  avgPoolBackward: todo('avgPoolBackward'),
};
