/** The training loop: `train`, `evaluate`, metrics and the progress reporter. */
export * from './metrics.js';
export * from './progress.js';
export * from './trainer.js';
