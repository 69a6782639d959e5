import { type MT19937, type Tensor, ValueError, clone, linear, zeros } from '../../tensor/index.js';
import { resetLinearLike } from '../init.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

export interface LinearOptions {
  bias?: boolean;
  /** Initialisation draws from this generator (default: the global one). */
  generator?: MT19937;
}

/** y = x·Wᵀ + b over the last dimension; weight [outFeatures, inFeatures], PyTorch's init. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0)
        throw new ValueError(`Linear: ${name} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([outFeatures]));
    resetLinearLike(this.weight, this.bias, opts.generator);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** Returns its input (as a fresh tensor: ops never alias). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return clone(x);
  }
}
