/** The Node side of the lab: the server `sparse24 lab` runs and the demo checkpoint it serves. */
export * from './errors.js';
export { PACKAGE_ROOT, assetPaths, ensureAssets } from './assets.js';
export { DEMO_SEED, demoCheckpoint, demoWeights } from './demo_weights.js';
export { type DemoModelFacts, type DemoModelFiles, demoModelFiles } from './demo_model.js';
export { ISOLATION_HEADERS, type LabServer, type LabServerOptions, startLabServer } from './server.js';
