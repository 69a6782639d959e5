export { SrSte, type SrSteOptions } from './sr_ste.js';
export { GradualPruning, type GradualOptions, cubicSparsity } from './gradual.js';
