import {
  type ConvOptions,
  type MT19937,
  type Tensor,
  ValueError,
  conv1d,
  conv2d,
  conv3d,
  zeros,
} from '../../tensor/index.js';
import { resetLinearLike } from '../init.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

type IntOrTuple = number | readonly number[];

export interface ConvLayerOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  generator?: MT19937;
}

function tuple(name: string, v: IntOrTuple, dims: number, min: number, layer: string): number[] {
  const t = typeof v === 'number' ? new Array<number>(dims).fill(v) : [...v];
  if (t.length !== dims || t.some((x) => !Number.isInteger(x) || x < min)) {
    throw new ValueError(`${layer}: ${name} must be an integer >= ${min} or ${dims} of them, got ${JSON.stringify(v)}`);
  }
  return t;
}

/**
 * The shared body of Conv1d/2d/3d: weight [outChannels, inChannels/groups, ...kernelSize],
 * PyTorch's attributes (tuples) and initialisation (kaiming-uniform a = √5, bias from fanIn).
 */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
  /** Only zero padding is implemented; the attribute exists for PyTorch users who look for it. */
  readonly paddingMode = 'zeros';
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(
    dims: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvLayerOptions,
  ) {
    super();
    const layer = `Conv${dims}d`;
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1)
      throw new ValueError(`${layer}: groups must be a positive integer, got ${groups}`);
    for (const [name, v] of [
      ['inChannels', inChannels],
      ['outChannels', outChannels],
    ] as const) {
      if (!Number.isInteger(v) || v < 1 || v % groups !== 0) {
        throw new ValueError(`${layer}: ${name} must be a positive multiple of groups (${groups}), got ${v}`);
      }
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = tuple('kernelSize', kernelSize, dims, 1, layer);
    this.stride = tuple('stride', opts.stride ?? 1, dims, 1, layer);
    this.padding = tuple('padding', opts.padding ?? 0, dims, 0, layer);
    this.dilation = tuple('dilation', opts.dilation ?? 1, dims, 1, layer);
    this.weight = this.registerParameter('weight', zeros([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = this.registerParameter('bias', opts.bias === false ? null : zeros([outChannels]));
    resetLinearLike(this.weight, this.bias, opts.generator);
  }

  protected convOptions(): ConvOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.convOptions());
  }
}

export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.convOptions());
  }
}

export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return conv3d(x, this.weight, this.bias, this.convOptions());
  }
}
