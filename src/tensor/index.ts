export * from './errors.js';
export * from './shape.js';
export * from './random.js';
export * from './scope.js';
export * from './names.js';
export { noGrad, setGradEnabled, isGradEnabled, type GradFn, type BackwardFn } from './autograd.js';
export { Tensor, type NestedArray } from './tensor.js';
export type {
  AttrsArg,
  AvgPoolAttrs,
  BinaryOpAttrs,
  BinaryOpName,
  CompareOpAttrs,
  CompareOpName,
  ConvAttrs,
  LayerOpAttrs,
  LayerOpName,
  LossOpAttrs,
  LossOpName,
  MaxPoolAttrs,
  NoAttrs,
  OpAttrs,
  OpName,
  ReduceOpAttrs,
  ReduceOpName,
  ShapeOpAttrs,
  ShapeOpName,
  TraceNode,
  TraceOf,
  UnaryOpAttrs,
  UnaryOpName,
} from './op_list.js';
export * from './creation.js';
export * from './backend.js';
export { runAsync, registerAsyncFamily, type RunAsyncOptions } from './async.js';
export {
  ASYNC_ONLY_MODES,
  GPU_MODES,
  type GpuMode,
  createGpuKernels,
  createGpuKernelsAsync,
} from './kernels/gpu/index.js';
export {
  closeRuntime as closeWasmRuntime,
  relaxedSimd,
  requestedThreads,
  setWasmThreads,
  threadSupport,
  wasmAvailable,
  wasmInfo,
  wasmReady,
  type WasmInfo,
} from './kernels/wasm/index.js';
export type * from './kernels/types.js';
export * from './gradcheck.js';
export * from './ops/elementwise.js';
export * from './ops/norm.js';
export * from './ops/misc.js';
export * from './ops/loss.js';
export * from './kernels/geometry.js';
export * from './ops/matmul.js';
export * from './ops/conv.js';
export * from './ops/pool.js';
export * from './ops/unary.js';
export * from './ops/compare.js';
export * from './ops/reduce.js';
export * from './ops/softmax.js';
export * from './ops/shapeops.js';
