/** Benchmark suites (dense kernels, 2:4 kernels, peers) behind `sparse24 bench` and `npm run bench`. */
export * from './cases.js';
export * from './implementation.js';
export * from './report.js';
export * from './runner.js';
export { backendNames, browserBackendNames, denseImplementation, denseKernelsFor, wasmThreadsOf } from './dense.js';
export { sparseImplementation, sparseKernelsFor } from './sparse.js';
