/** Compressed 2:4 inference: sparse layers, dense ⇄ sparse model conversion, compressed checkpoints. */
export * from './modules.js';
export { type ModuleReplacer, cloneModule } from './clone.js';
export * from './convert.js';
export * from './compressed_io.js';
export { type FoundCompressed, classNamesOf, findCompressed } from './compressed_records.js';
