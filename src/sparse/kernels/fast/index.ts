import type { SparseKernels } from '../types.js';
import { conv, linear, spmm } from './kernels.js';

/** Plain-TypeScript sparse kernels built for speed; checked against the reference sparse kernels. */
export const fastSparseKernels: SparseKernels = { name: 'fast', linear, spmm, conv };

export { groupCodes24, rowDot, rowsTimesDense, type RowsTimesDense } from './core.js';
