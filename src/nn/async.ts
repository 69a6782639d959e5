import { runAsync, type RunAsyncOptions } from '../tensor/async.js';
import { noGrad } from '../tensor/autograd.js';
import { BackendError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

/**
 * An inference forward pass on the asynchronous gpu.js kernels (the only way to run the webgpu
 * mode): `await forwardAsync(model, x, { mode: 'webgpu' })`. Gradients are off, and the model
 * must be in eval mode, because the pass may be replayed (see `runAsync`) and a training-mode
 * BatchNorm would update its running statistics on every replay.
 */
export function forwardAsync(
  model: Module<[Tensor], Tensor>,
  x: Tensor,
  options: RunAsyncOptions = {},
): Promise<Tensor> {
  if (model.training) {
    throw new BackendError(
      `forwardAsync: ${model.constructor.name} is in training mode; call model.eval() first (the pass may be replayed, see runAsync)`,
    );
  }
  return runAsync(() => noGrad(() => model.call(x)), options);
}
