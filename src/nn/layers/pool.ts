import {
  type AvgPoolOptions,
  type MaxPoolOptions,
  type Tensor,
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool2d,
} from '../../tensor/index.js';
import { Module } from '../module.js';

type IntOrTuple = number | readonly number[];

/** Max pooling over [N, C, H, W]; stride defaults to kernelSize, as PyTorch. */
export class MaxPool2d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;

  constructor(kernelSize: IntOrTuple, opts: Omit<MaxPoolOptions, 'kernelSize'> = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
  }

  forward(x: Tensor): Tensor {
    const { kernelSize, stride, padding, dilation } = this;
    return maxPool2d(x, { kernelSize, stride, padding, dilation });
  }
}

/** Average pooling over [N, C, H, W]; padding counts in the divisor unless `countIncludePad: false`. */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly countIncludePad: boolean;

  constructor(kernelSize: IntOrTuple, opts: Omit<AvgPoolOptions, 'kernelSize'> = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    const { kernelSize, stride, padding, countIncludePad } = this;
    return avgPool2d(x, { kernelSize, stride, padding, countIncludePad });
  }
}

/** Average pooling to a fixed output size (null keeps that input size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
