// The sparse24 wasm kernel module: every export is one kernel (see each file). Built with
// AssemblyScript by tools/build-wasm.mjs into a module that imports one shared memory.
export { packPanels } from './panels';
export { addBias, addChannelBias, gemm, gemvNT, packStrips } from './gemm';
export { col2im, im2col, setGeometry } from './im2col';
export { spmmPanels, spmv24Pairs, spmvRows } from './spmm';
export { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from './pooling';
