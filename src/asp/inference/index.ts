/** Compressed 2:4 inference: sparse layers, dense ⇄ sparse model conversion, compressed-tensors files. */
export * from './modules.js';
export { type ModuleReplacer, cloneModule } from './clone.js';
export * from './convert.js';
export * from './compressed_io.js';
