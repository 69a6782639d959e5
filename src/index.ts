/** sparse24's public API. */
export * from './tensor/index.js';
export * from './io/index.js';
export * from './sparse/index.js';
export * from './nn/data/index.js';
export * from './nn/index.js';
export * from './asp/index.js';
export * from './bench/index.js';
export * from './permutation/index.js';
export { demoCnn, demoVit } from './demo/model.js';
