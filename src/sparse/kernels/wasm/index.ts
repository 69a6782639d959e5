export { wasmSparseKernels } from './kernels.js';
export { PANEL_KC, type RowSource, convRows, matrixRows, packEntries, packPairs24 } from './pack.js';
