import {
  type CrossEntropyOptions,
  type MseLossOptions,
  type NllLossOptions,
  type Tensor,
  crossEntropy,
  mseLoss,
  nllLoss,
} from '../../tensor/index.js';
import { Module } from '../module.js';

/** Losses as modules: `criterion.call(input, target)`. Options as the functional forms. */

export class CrossEntropyLoss extends Module<[Tensor, Tensor], Tensor> {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module<[Tensor, Tensor], Tensor> {
  constructor(readonly options: NllLossOptions = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

export class MSELoss extends Module<[Tensor, Tensor], Tensor> {
  constructor(readonly options: MseLossOptions = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}
