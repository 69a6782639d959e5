import type { SparseKernels } from '../types.js';
import { conv } from './conv.js';
import { linear, spmm } from './spmm.js';

/** The plain-TypeScript sparse kernels: the oracle the gpu.js kernels are checked against. */
export const referenceSparseKernels: SparseKernels = { name: 'reference', linear, spmm, conv };
