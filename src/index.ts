/** sparse24's public API. */
export * from './tensor/index.js';
