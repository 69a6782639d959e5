/**
 * sparse24's `nn`: modules, layers, losses, ready-made models, optimizers and LR schedulers,
 * named as PyTorch names them (camelCase), with PyTorch's state-dict keys.
 */
export * from './errors.js';
export * from './parameter.js';
export * from './module.js';
export { forwardAsync } from './async.js';
export * from './state_dict.js';
export * from './mask_buffers.js';
export * from './staged.js';
export * as init from './init.js';
export * from './layers/index.js';
export * from './models/index.js';
export * from './optim/index.js';
export * from './train/index.js';
export * from './checkpoint.js';
export * from './onnx/index.js';
export { tracedForward } from './trace.js';
