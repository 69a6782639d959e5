import { Tensor } from '../tensor/index.js';

/**
 * A tensor a module learns: a leaf that requires grad by default (PyTorch's `nn.Parameter`).
 * It shares the storage of the tensor it wraps, so `new Parameter(t)` does not copy.
 */
export class Parameter extends Tensor {
  constructor(t: Tensor, requiresGrad = true) {
    super(t.data, t.shape, requiresGrad);
  }
}
